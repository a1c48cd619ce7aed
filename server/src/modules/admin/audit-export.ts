import type { AuditEventDto, AuditExportQueryDto } from '@crm/shared';
import type { Db } from '../../db/database.ts';
import { findAuditEvents } from '../audit/audit.repository.ts';

/** The most rows one export holds; a wider period must be narrowed (the answer says it was cut). */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;
const PAGE = 2_000;

const COLUMNS = [
  'id',
  'at',
  'actor_id',
  'actor_name',
  'actor_role',
  'action',
  'result',
  'client_ids',
  'entity',
  'entity_id',
  'ip',
  'user_agent',
  'channel',
  'request_id',
  'details',
] as const;

/**
 * One CSV cell (RFC 4180 quoting). A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR
 * first: OWASP "CSV injection") gets a leading apostrophe: user agents and names come from outside.
 */
export function csvCell(value: unknown): string {
  let s =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The audit events matching the filters as CSV (newest first, UTF-8 with a BOM so Excel reads Cyrillic),
 * at most {@link AUDIT_EXPORT_MAX_ROWS}; actor names joined in. Pages through the audit query by cursor.
 */
export async function exportAuditCsv(
  db: Db,
  q: AuditExportQueryDto,
): Promise<{ csv: string; rows: number; truncated: boolean }> {
  const events: AuditEventDto[] = [];
  let cursor: string | undefined;
  let truncated = false;
  for (;;) {
    const page = await findAuditEvents(db, { ...q, limit: PAGE, ...(cursor ? { cursor } : {}) });
    events.push(...page.items);
    if (!page.nextCursor) break;
    if (events.length >= AUDIT_EXPORT_MAX_ROWS) {
      truncated = true;
      break;
    }
    cursor = page.nextCursor;
  }
  const rows = events.slice(0, AUDIT_EXPORT_MAX_ROWS);
  const actorIds = [...new Set(rows.map((e) => e.actorId).filter((x): x is string => x !== null))];
  const names = new Map(
    actorIds.length === 0
      ? []
      : (await db.selectFrom('users').where('id', 'in', actorIds).select(['id', 'name']).execute()).map(
          (u) => [u.id, u.name],
        ),
  );
  const lines = [COLUMNS.join(',')];
  for (const e of rows)
    lines.push(
      [
        e.id,
        e.at,
        e.actorId,
        e.actorId ? (names.get(e.actorId) ?? '') : '',
        e.actorRole,
        e.action,
        e.result,
        e.clientIds.join(' '),
        e.entity,
        e.entityId,
        e.ip,
        e.userAgent,
        e.channel,
        e.requestId,
        e.details,
      ]
        .map(csvCell)
        .join(','),
    );
  return { csv: `\uFEFF${lines.join('\r\n')}\r\n`, rows: rows.length, truncated };
}

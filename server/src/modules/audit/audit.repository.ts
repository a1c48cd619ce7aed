import type { Db } from '../../db/database.ts';
import type { Principal } from '../auth/principal.ts';

/** Where a request came from, for the audit trail (banking.md: who, when, what, from where, result). */
export type RequestOrigin = { ip: string; userAgent: string | null; channel: string; requestId: string };

export type AuditEntry = {
  action: string;
  result: 'ok' | 'denied' | 'failed';
  clientIds?: string[];
  entity?: string;
  entityId?: string;
  details?: Record<string, unknown>;
};

/**
 * Appends audit events. Pass the transaction of the change being recorded so both commit or neither.
 * Never put personal data values or tokens in `details`: field names and ids only.
 */
export async function recordAudit(
  db: Db,
  actor: Pick<Principal, 'id' | 'role'> | null,
  origin: RequestOrigin,
  entries: AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_events')
    .values(
      entries.map((e) => ({
        actor_id: actor?.id ?? null,
        actor_role: actor?.role ?? null,
        action: e.action,
        result: e.result,
        client_ids: e.clientIds ?? [],
        entity: e.entity ?? null,
        entity_id: e.entityId ?? null,
        details: JSON.stringify(e.details ?? {}),
        ip: origin.ip,
        user_agent: origin.userAgent,
        channel: origin.channel,
        request_id: origin.requestId,
      })),
    )
    .execute();
}

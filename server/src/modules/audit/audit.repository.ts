import type { AuditEventDto, AuditEventsQueryDto } from '@crm/shared';
import { sql } from 'kysely';
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

type Actor = Pick<Principal, 'id' | 'role'> | null;

function row(actor: Actor, origin: RequestOrigin, e: AuditEntry) {
  return {
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
  };
}

/**
 * Appends audit events. Pass the transaction of the change being recorded so both commit or neither.
 * `details` holds ids, field names and, for changes, before/after of changed fields; never tokens, and never
 * values of personal-data fields (shared `PERSONAL_DATA_FIELDS`): their names only.
 */
export async function recordAudit(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  entries: AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_events')
    .values(entries.map((e) => row(actor, origin, e)))
    .execute();
}

/**
 * Appends an event unless one with the same action and entity id exists (e.g. one `auth.sign_in` per token
 * id, however many instances and requests see the token). Best effort under concurrency: two instances
 * seeing a new token in the same instant may both write it.
 */
export async function recordAuditOnce(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  entry: AuditEntry & { entityId: string },
): Promise<void> {
  const r = row(actor, origin, entry);
  await sql`insert into audit_events (actor_id, actor_role, action, result, client_ids, entity, entity_id, details,
      ip, user_agent, channel, request_id)
    select ${r.actor_id}::uuid, ${r.actor_role}, ${r.action}, ${r.result}, ${r.client_ids}::uuid[], ${r.entity},
      ${r.entity_id}, ${r.details}::jsonb, ${r.ip}, ${r.user_agent}, ${r.channel}, ${r.request_id}
    where not exists (select 1 from audit_events where action = ${r.action} and entity_id = ${r.entity_id})`.execute(
    db,
  );
}

/**
 * Audit events matching the filters, newest first, `limit` per page; `cursor` continues after the last id of
 * the previous page. Uses the indexes on client_ids (GIN), (actor_id, at) and at.
 */
export async function findAuditEvents(
  db: Db,
  q: AuditEventsQueryDto,
): Promise<{ items: AuditEventDto[]; nextCursor: string | null }> {
  const limit = q.limit ?? 100;
  let query = db
    .selectFrom('audit_events as e')
    .selectAll()
    .orderBy('e.id', 'desc')
    .limit(limit + 1);
  if (q.clientId) query = query.where(sql<boolean>`e.client_ids @> array[${q.clientId}]::uuid[]`);
  if (q.userId) query = query.where('e.actor_id', '=', q.userId);
  if (q.from) query = query.where(sql<boolean>`e.at >= ${q.from}::timestamptz`);
  if (q.to) query = query.where(sql<boolean>`e.at < ${q.to}::timestamptz`);
  if (q.action) query = query.where('e.action', '=', q.action);
  if (q.cursor) query = query.where('e.id', '<', q.cursor);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map((e) => ({
      id: String(e.id),
      at: (e.at as unknown as Date).toISOString(),
      actorId: e.actor_id,
      actorRole: e.actor_role,
      action: e.action,
      result: e.result,
      clientIds: e.client_ids,
      entity: e.entity,
      entityId: e.entity_id,
      details: (e.details ?? {}) as Record<string, unknown>,
      ip: e.ip,
      userAgent: e.user_agent,
      channel: e.channel,
      requestId: e.request_id,
    })),
    nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null,
  };
}

import { createHash } from 'node:crypto';
import { AppError } from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/** What a create should do with its `Idempotency-Key`: proceed (first use) or replay the stored answer. */
export type IdempotencyClaim = { kind: 'new' } | { kind: 'replay'; statusCode: number; response: unknown };

export type IdempotencyRequest = {
  userId: string;
  key: string;
  /** `METHOD /route/pattern`: a key is bound to one route. */
  route: string;
  /** The request body; two uses of a key must send the same one. */
  body: unknown;
  ttlHours: number;
};

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/** sha256 of the route and the body with keys sorted, so key order in JSON does not matter. */
export function requestHash(route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${route}\n${JSON.stringify(canonical(body))}`)
    .digest('hex');
}

/**
 * Claims `key` for this user inside the create's transaction: the row is inserted first, so a concurrent
 * retry with the same key waits on it and, once the first commits, replays its answer; if the first rolls
 * back, the key is free again. An expired key (older than `ttlHours`) is reused as new.
 * @throws AppError IDEMPOTENCY_KEY_REUSED (422) for another route or body, IDEMPOTENCY_IN_PROGRESS (409)
 */
export async function claimIdempotencyKey(trx: Db, r: IdempotencyRequest): Promise<IdempotencyClaim> {
  const hash = requestHash(r.route, r.body);
  const claimed = await sql`insert into idempotency_keys (user_id, key, route, request_hash)
    values (${r.userId}, ${r.key}, ${r.route}, ${hash})
    on conflict (user_id, key) do update
      set route = excluded.route, request_hash = excluded.request_hash, status_code = null, response = null,
          created_at = now()
      where idempotency_keys.created_at < now() - make_interval(hours => ${r.ttlHours})
    returning 1 as claimed`.execute(trx);
  if (claimed.rows.length > 0) return { kind: 'new' };
  const first = await trx
    .selectFrom('idempotency_keys')
    .where('user_id', '=', r.userId)
    .where('key', '=', r.key)
    .select(['request_hash', 'status_code', 'response'])
    .executeTakeFirstOrThrow();
  if (first.request_hash !== hash)
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used for a different request: use a new key',
      'headers.idempotency-key',
    );
  if (first.status_code === null)
    throw new AppError(
      'IDEMPOTENCY_IN_PROGRESS',
      'The first request with this key is still running: retry shortly',
    );
  return { kind: 'replay', statusCode: first.status_code, response: first.response };
}

/** Stores the answer of the create that claimed `key`, in the same transaction. */
export async function saveIdempotentResponse(
  trx: Db,
  r: { userId: string; key: string; statusCode: number; response: unknown },
): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ status_code: r.statusCode, response: JSON.stringify(r.response) })
    .where('user_id', '=', r.userId)
    .where('key', '=', r.key)
    .execute();
}

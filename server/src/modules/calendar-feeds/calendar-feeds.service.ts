import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import { wallTime } from '../calendar-sync/calendar-event.mapper.ts';
import { type FeedEvent, serializeCalendar } from './ical.ts';

// Private iCalendar feeds: the way to see tasks in any calendar without Microsoft 365. The token is the
// credential (32 random bytes, base64url); only its sha256 is stored; one live token per user; revocable.

/** base64url of 32 bytes: 43 characters. */
export const FEED_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function hashFeedToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Creates a new token for the principal, revoking the live one (rotation). Audited; the token is never logged. */
export async function createFeedToken(db: Db, p: Principal, origin: RequestOrigin): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('calendar_feeds')
      .set({ revoked_at: sql`now()` })
      .where('user_id', '=', p.id)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    const { id } = await trx
      .insertInto('calendar_feeds')
      .values({ user_id: p.id, token_hash: hashFeedToken(token) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, p, origin, [
      {
        action: 'calendar_feed.create',
        result: 'ok',
        entity: 'calendar_feed',
        entityId: id,
        details: { revoked: revoked.map((r) => r.id) },
      },
    ]);
  });
  return token;
}

/** Revokes the principal's live token (idempotent). Audited. */
export async function revokeFeedToken(db: Db, p: Principal, origin: RequestOrigin): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('calendar_feeds')
      .set({ revoked_at: sql`now()` })
      .where('user_id', '=', p.id)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    await recordAudit(trx, p, origin, [
      {
        action: 'calendar_feed.revoke',
        result: 'ok',
        entity: 'calendar_feed',
        entityId: revoked[0]?.id,
        details: { revoked: revoked.map((r) => r.id) },
      },
    ]);
  });
}

/**
 * The user of a live token, or null. Looked up by its hash (an index on a hash reveals nothing about the
 * token through timing), then compared in constant time.
 */
export async function findFeedOwner(db: Db, token: string): Promise<string | null> {
  if (!FEED_TOKEN.test(token)) return null;
  const hash = hashFeedToken(token);
  const row = await db
    .selectFrom('calendar_feeds as f')
    .innerJoin('users as u', 'u.id', 'f.user_id')
    .where('f.token_hash', '=', hash)
    .where('f.revoked_at', 'is', null)
    .where('u.is_active', '=', true)
    .select(['f.user_id', 'f.token_hash'])
    .executeTakeFirst();
  if (!row || row.token_hash.length !== hash.length || !timingSafeEqual(row.token_hash, hash)) return null;
  return row.user_id;
}

const PRIORITY: Record<string, number> = { urgent: 1, high: 3, normal: 5, low: 9 };
const DEFAULT_DURATION_MINUTES = 30;

/** The VCALENDAR of the user's open tasks that have a time (planned start, else due). */
export async function renderFeed(
  db: Db,
  userId: string,
  opts: { publicUrl: string; host: string },
): Promise<string> {
  const rows = await db
    .selectFrom('tasks as t')
    .innerJoin('users as u', 'u.id', 't.assignee_id')
    .leftJoin('branches as b', 'b.id', 'u.branch_id')
    .leftJoin('mailbox_sync_state as m', 'm.user_id', 'u.id')
    .leftJoin('clients as c', 'c.id', 't.client_id')
    .leftJoin('task_types as tt', 'tt.code', 't.type')
    .where('t.assignee_id', '=', userId)
    .where('t.status', 'in', ['open', 'in_progress'])
    .where((eb) => eb.or([eb('t.planned_start_at', 'is not', null), eb('t.due_at', 'is not', null)]))
    .select([
      't.id',
      't.title',
      't.type',
      't.status',
      't.priority',
      't.planned_start_at',
      't.planned_duration_minutes',
      't.effort_estimate_minutes',
      't.all_day',
      't.due_at',
      't.version',
      't.updated_at',
      'c.display_name',
      'm.time_zone',
      'b.time_zone as branch_tz',
      'tt.calendar_category',
      'tt.default_reminder_minutes',
    ])
    .orderBy(sql`coalesce(t.planned_start_at, t.due_at)`)
    .limit(2000)
    .execute();
  const now = new Date();
  const events: FeedEvent[] = rows.map((r) => {
    const start = (r.planned_start_at ?? r.due_at)!;
    const link = `${opts.publicUrl}/?task=${r.id}`;
    let s = start;
    let e: Date;
    if (r.all_day) {
      // The day as the user sees it in their zone, midnight to midnight (DTEND exclusive).
      const day = wallTime(start, r.time_zone ?? r.branch_tz ?? 'Europe/Moscow').slice(0, 10);
      s = new Date(`${day}T00:00:00Z`);
      e = new Date(s.getTime() + 86_400_000);
    } else {
      const minutes = r.planned_duration_minutes ?? r.effort_estimate_minutes ?? DEFAULT_DURATION_MINUTES;
      e = new Date(start.getTime() + minutes * 60_000);
    }
    const description = [r.display_name ? `${r.display_name}` : null, `CRM: ${link}`]
      .filter(Boolean)
      .join('\n');
    return {
      uid: `${r.id}@${opts.host}`,
      stamp: now,
      start: s,
      end: e,
      allDay: r.all_day,
      summary: r.title,
      description,
      url: link,
      status: 'CONFIRMED',
      sequence: r.version,
      lastModified: r.updated_at as unknown as Date,
      // The task type's Outlook category (work settings), as the Graph sync writes it.
      categories: [r.calendar_category ?? 'CRM'],
      priority: PRIORITY[r.priority] ?? null,
      // The type's reminder, as the Graph sync sets it on the Outlook event; none for done tasks.
      reminderMinutes: r.status === 'done' ? null : (r.default_reminder_minutes ?? null),
    };
  });
  return serializeCalendar({ prodId: '-//Bank CRM//Tasks//RU', name: 'CRM', events });
}

import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../../server/src/db/database.ts';
import { hashFeedToken } from '../../server/src/modules/calendar-feeds/calendar-feeds.service.ts';
import type { Org } from '../support/fixtures.ts';

// The access-matrix rules of the calendar feed routes (access-matrix.test.ts spreads them into its RULES):
// every signed-in user manages their own feed (audited); the feed itself is public, its token the credential.

type Who = 'rm' | 'supervisor' | 'creditOfficer' | 'admin' | 'rmWithAdminGrant';
type Target = 'own' | 'other';
type Audit = { action: string; result: 'ok' | 'denied'; withClient: boolean } | null;

export type CalendarMatrixFixtures = { feedToken: string };

type Ctx = { calendar: CalendarMatrixFixtures };
type Rule = {
  public?: true;
  request: (c: Ctx, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  check?: (res: LightMyRequestResponse, c: Ctx, who: Who, target: Target) => void;
  audit?: (who: Who, target: Target) => Audit;
};

/** A live feed token of rm2 (a user the matrix does not sign in as, so no POST of the matrix rotates it). */
export async function createCalendarMatrixFixtures(db: Db, org: Org): Promise<CalendarMatrixFixtures> {
  const feedToken = randomBytes(32).toString('base64url');
  await db
    .insertInto('calendar_feeds')
    .values({ user_id: org.users.rm2!, token_hash: hashFeedToken(feedToken) })
    .execute();
  return { feedToken };
}

export function calendarRules(): Record<string, Rule> {
  return {
    'POST /api/v1/me/calendar-feed': {
      request: () => ({ method: 'POST', url: '/api/v1/me/calendar-feed' }),
      status: () => 201,
      check: (res) => expect(res.json().url).toMatch(/\/api\/v1\/calendar-feeds\/[A-Za-z0-9_-]{43}\.ics$/),
      audit: () => ({ action: 'calendar_feed.create', result: 'ok', withClient: false }),
    },
    'DELETE /api/v1/me/calendar-feed': {
      request: () => ({ method: 'DELETE', url: '/api/v1/me/calendar-feed' }),
      status: () => 204,
      audit: () => ({ action: 'calendar_feed.revoke', result: 'ok', withClient: false }),
    },
    'GET /api/v1/calendar-feeds/:token.ics': {
      public: true,
      request: (c) => ({ url: `/api/v1/calendar-feeds/${c.calendar.feedToken}.ics` }),
      status: () => 200,
      check: (res) => expect(res.body.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true),
    },
  };
}

import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../../server/src/db/database.ts';

// The access-matrix rules of the credit notices' unread count and "mark read" (access-matrix.test.ts spreads
// them into its RULES). Every signed-in user has their own notices: the count answers everyone; marking read
// touches only the caller's own notices on clients they see. Each (caller, target) gets a notice of its own
// on the target client's application, so every call has something to mark.

type Who = 'rm' | 'supervisor' | 'creditOfficer' | 'admin' | 'rmWithAdminGrant';
type Target = 'own' | 'other';
type Audit = { action: string; result: 'ok' | 'denied'; withClient: boolean } | null;
type Rule = {
  request: (c: { creditNotices: CreditNoticesMatrixFixtures }, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  check?: (res: { json: () => unknown }, c: unknown, who: Who, target: Target) => void;
  audit?: (who: Who, target: Target) => Audit;
};

/** A notice id per (caller, target client). */
export type CreditNoticesMatrixFixtures = Record<Who, Record<Target, string>>;

/** Inserts one unread nudge to each caller on each target's application. */
export async function createCreditNoticesMatrixFixtures(
  db: Db,
  users: Record<Who, string>,
  applications: Record<Target, string>,
): Promise<CreditNoticesMatrixFixtures> {
  const out = {} as CreditNoticesMatrixFixtures;
  for (const who of Object.keys(users) as Who[]) {
    out[who] = {} as Record<Target, string>;
    for (const target of ['own', 'other'] as const) {
      const { id } = await db
        .insertInto('credit_notices')
        .values({
          user_id: users[who],
          application_id: applications[target],
          kind: 'nudge',
          message: 'Матрица доступа',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      out[who][target] = String(id);
    }
  }
  return out;
}

/** The rules, given the matrix's restatement of who sees which client. */
export function creditNoticesRules(sees: (who: Who, target: Target) => boolean): Record<string, Rule> {
  return {
    'GET /api/v1/credit-applications/notices/unread-count': {
      request: () => ({ url: '/api/v1/credit-applications/notices/unread-count' }),
      status: () => 200,
      check: (res) => expect((res.json() as { unreadCount: number }).unreadCount).toBeGreaterThanOrEqual(0),
      audit: () => null,
    },
    'POST /api/v1/credit-applications/notices/read': {
      request: (c, who, target) => ({
        method: 'POST',
        url: '/api/v1/credit-applications/notices/read',
        payload: { ids: [c.creditNotices[who][target]] },
      }),
      status: () => 200,
      // A notice on a client out of view stays unread and unaudited: nothing was shown or changed.
      check: (res, _c, who, target) =>
        expect((res.json() as { marked: number }).marked).toBe(sees(who, target) ? 1 : 0),
      audit: (who, target) =>
        sees(who, target)
          ? { action: 'credit_application.notices_read', result: 'ok', withClient: true }
          : null,
    },
  };
}

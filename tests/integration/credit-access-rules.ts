import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../../server/src/db/database.ts';
import { loadPrincipal } from '../../server/src/modules/auth/principal.ts';
import { advanceStage, createCreditApplication } from '../../server/src/modules/credit/credit.service.ts';
import { DEFAULT_ROUTES, insertRoutes } from '../../server/src/modules/demo/seed-credit.ts';
import type { Org } from '../support/fixtures.ts';

// The access-matrix rules of the credit routes (access-matrix.test.ts spreads them into its RULES). Moves
// belong to the current stage's owner (or their supervisor); only RMs and supervisors start applications;
// the SLA report is for supervisors and admin rights. Each allowed move gets an application of its own.

type Who = 'rm' | 'supervisor' | 'creditOfficer' | 'admin' | 'rmWithAdminGrant';
type Target = 'own' | 'other';
type Audit = { action: string; result: 'ok' | 'denied'; withClient: boolean } | null;
type App = { id: string; version: number };
type PerCall = Record<Who, Record<Target, App>>;

export type CreditMatrixFixtures = {
  /** One application per target (read, nudge). */
  shared: Record<Target, App>;
  /** At intake, owned by the client's manager: advance, decline, reassign. */
  atIntake: { advance: PerCall; decision: PerCall; reassign: PerCall };
  /** At scoring (credit officers' queue), which may return to documents. */
  atScoring: PerCall;
  /** Someone to reassign to: rm2 (in the supervisor's team, sees "own"). */
  reassignTo: string;
};

type Ctx = { clients: Record<Target, string>; credit: CreditMatrixFixtures };
type Rule = {
  request: (c: Ctx, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  check?: (res: { json: () => unknown }, c: Ctx, who: Who, target: Target) => void;
  audit?: (who: Who, target: Target) => Audit;
};

const ORIGIN = { ip: '127.0.0.1', userAgent: null, channel: 'test', requestId: 'matrix-fixture' };

export async function createCreditMatrixFixtures(
  db: Db,
  org: Org,
  clients: Record<Target, string>,
  who: readonly Who[],
): Promise<CreditMatrixFixtures> {
  await insertRoutes(db, DEFAULT_ROUTES, () => crypto.randomUUID());
  const managers = {
    own: (await loadPrincipal(db, org.users.rm1!))!,
    other: (await loadPrincipal(db, org.users.rmOther!))!,
  };
  const make = async (target: Target, advances = 0): Promise<App> => {
    let a = await createCreditApplication(db, managers[target], ORIGIN, {
      clientId: clients[target],
      productCode: 'CONS-LOAN',
      amount: { amount: '100000.00', currency: 'RUB' },
      termMonths: 12,
      ratePercent: '15',
      purpose: 'Матрица доступа',
      monthlyIncome: '80000.00',
      existingMonthlyPayments: '0',
    });
    for (let i = 0; i < advances; i++)
      a = await advanceStage(db, managers[target], ORIGIN, a.id, { version: a.version });
    return { id: a.id, version: a.version };
  };
  const perCall = async (advances: number): Promise<PerCall> => {
    const out = {} as PerCall;
    for (const w of who) out[w] = { own: await make('own', advances), other: await make('other', advances) };
    return out;
  };
  return {
    shared: { own: await make('own'), other: await make('other') },
    atIntake: { advance: await perCall(0), decision: await perCall(0), reassign: await perCall(0) },
    atScoring: await perCall(2),
    reassignTo: org.users.rm2!,
  };
}

export function creditRules(
  sees: (who: Who, target: Target) => boolean,
  hasAdminRights: (who: Who) => boolean,
): Record<string, Rule> {
  const visibleOr404 = (ok: number) => (who: Who, target: Target) => (sees(who, target) ? ok : 404);
  // Who may move a stage owned by rm1 (the "own" client's manager): rm1 and their supervisor.
  const movesIntake = (who: Who, target: Target) =>
    !sees(who, target) ? 404 : who === 'rm' || who === 'supervisor' ? 200 : 403;
  const moveAudit = (action: string, allowed: (w: Who, t: Target) => number) => (w: Who, t: Target) => ({
    action,
    result: allowed(w, t) === 200 ? ('ok' as const) : ('denied' as const),
    withClient: true,
  });
  const url = (suffix: string) => (id: string) => `/api/v1/credit-applications/${id}${suffix}`;
  const startsApplications = (who: Who) => who === 'rm' || who === 'supervisor' || who === 'rmWithAdminGrant';
  const createStatus = (who: Who, target: Target) =>
    !startsApplications(who) ? 403 : sees(who, target) ? 201 : 404;
  const returnStatus = (who: Who, target: Target) =>
    !sees(who, target) ? 404 : who === 'creditOfficer' ? 200 : 403;
  const reassignStatus = (who: Who, target: Target) =>
    !sees(who, target) ? 404 : who === 'supervisor' ? 200 : 403;
  const reportStatus = (who: Who) => (who === 'supervisor' || hasAdminRights(who) ? 200 : 403);
  return {
    'POST /api/v1/credit-applications': {
      request: (c, _who, target) => ({
        url: '/api/v1/credit-applications',
        payload: {
          clientId: c.clients[target],
          productCode: 'CONS-LOAN',
          amount: { amount: '75000.00', currency: 'RUB' },
          termMonths: 6,
          ratePercent: '20',
          purpose: 'Покупка техники',
          monthlyIncome: '50000',
          existingMonthlyPayments: '0',
        },
      }),
      status: createStatus,
      audit: (who, target) =>
        createStatus(who, target) === 403
          ? { action: 'access.denied', result: 'denied', withClient: false }
          : {
              action: 'credit_application.create',
              result: sees(who, target) ? 'ok' : 'denied',
              withClient: true,
            },
    },
    'GET /api/v1/credit-applications/:id': {
      request: (c, _who, target) => ({ url: url('')(c.credit.shared[target].id) }),
      status: visibleOr404(200),
      check: (res, c, _who, target) =>
        expect(res.json()).toMatchObject({
          id: c.credit.shared[target].id,
          client: { id: c.clients[target] },
        }),
      audit: (who, target) => ({
        action: 'credit_application.read',
        result: sees(who, target) ? 'ok' : 'denied',
        withClient: true,
      }),
    },
    'POST /api/v1/credit-applications/:id/advance': {
      request: (c, who, target) => {
        const a = c.credit.atIntake.advance[who][target];
        return { url: url('/advance')(a.id), payload: { version: a.version } };
      },
      status: movesIntake,
      audit: moveAudit('credit_application.advance', movesIntake),
    },
    'POST /api/v1/credit-applications/:id/return': {
      request: (c, who, target) => {
        const a = c.credit.atScoring[who][target];
        return {
          url: url('/return')(a.id),
          payload: { version: a.version, toStage: 'documents', comment: 'Нужна справка 2-НДФЛ' },
        };
      },
      status: returnStatus,
      audit: moveAudit('credit_application.return', returnStatus),
    },
    'POST /api/v1/credit-applications/:id/decision': {
      request: (c, who, target) => {
        const a = c.credit.atIntake.decision[who][target];
        return {
          url: url('/decision')(a.id),
          payload: { version: a.version, decision: 'declined', reason: 'Самозапрет в бюро' },
        };
      },
      status: movesIntake,
      audit: moveAudit('credit_application.decision', movesIntake),
    },
    'POST /api/v1/credit-applications/:id/stage-owner': {
      request: (c, who, target) => {
        const a = c.credit.atIntake.reassign[who][target];
        return {
          url: url('/stage-owner')(a.id),
          payload: { version: a.version, ownerId: c.credit.reassignTo },
        };
      },
      status: reassignStatus,
      audit: moveAudit('credit_application.reassign', reassignStatus),
    },
    'POST /api/v1/credit-applications/:id/nudges': {
      request: (c, _who, target) => ({
        url: url('/nudges')(c.credit.shared[target].id),
        payload: { message: 'Когда будет решение?' },
      }),
      status: visibleOr404(201),
      audit: (who, target) => ({
        action: 'credit_application.nudge',
        result: sees(who, target) ? 'ok' : 'denied',
        withClient: true,
      }),
    },
    'GET /api/v1/credit-applications/notices': {
      request: () => ({ url: '/api/v1/credit-applications/notices' }),
      status: () => 200,
      audit: () => ({ action: 'credit_application.notices', result: 'ok', withClient: false }),
    },
    'GET /api/v1/credit-applications/sla-report': {
      request: () => ({
        url: '/api/v1/credit-applications/sla-report?groupBy=branch&from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z',
      }),
      status: (who) => reportStatus(who),
      audit: (who) =>
        reportStatus(who) === 200
          ? { action: 'credit_application.sla_report', result: 'ok', withClient: false }
          : { action: 'access.denied', result: 'denied', withClient: false },
    },
  };
}

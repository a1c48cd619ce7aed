import {
  AdvanceStageRequest,
  CreateCreditApplicationRequest,
  CreditApplicationDetail,
  CreditNotice,
  CreditNotices,
  CreditNoticesQuery,
  CreditNoticesUnread,
  DecisionRequest,
  IdParams,
  MarkNoticesReadRequest,
  MarkNoticesReadResult,
  NudgeRequest,
  ReassignStageRequest,
  ReturnStageRequest,
  SlaReport,
  SlaReportQuery,
} from '@crm/shared';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import {
  advanceStage,
  countMyUnreadNotices,
  createCreditApplication,
  decide,
  getCreditApplication,
  getSlaReport,
  listMyNotices,
  markMyNoticesRead,
  nudgeStageOwner,
  reassignStage,
  returnStage,
} from './credit.service.ts';

const tags = ['credit'];

/**
 * Credit applications: create (pane), read, move along the route (advance, return, decision, reassign),
 * nudge the stage owner, the caller's notices (list, unread count, mark read), and the SLA breach report.
 */
export async function creditRoutes(app: ApiApp, opts: { db: Db }) {
  const { db } = opts;
  app.post(
    '/credit-applications',
    { schema: { tags, body: CreateCreditApplicationRequest, response: { 201: CreditApplicationDetail } } },
    async (request, reply) => {
      const detail = await createCreditApplication(
        db,
        request.principal,
        originOf(request, 'pane'),
        request.body,
      );
      return reply.status(201).send(detail);
    },
  );
  app.get(
    '/credit-applications/notices',
    { schema: { tags, querystring: CreditNoticesQuery, response: { 200: CreditNotices } } },
    async (request) => listMyNotices(db, request.principal, originOf(request, 'pane'), request.query),
  );
  app.get(
    '/credit-applications/notices/unread-count',
    { schema: { tags, response: { 200: CreditNoticesUnread } } },
    async (request) => countMyUnreadNotices(db, request.principal),
  );
  app.post(
    '/credit-applications/notices/read',
    { schema: { tags, body: MarkNoticesReadRequest, response: { 200: MarkNoticesReadResult } } },
    async (request) => markMyNoticesRead(db, request.principal, originOf(request, 'pane'), request.body),
  );
  app.get(
    '/credit-applications/sla-report',
    { schema: { tags, querystring: SlaReportQuery, response: { 200: SlaReport } } },
    async (request) => getSlaReport(db, request.principal, originOf(request), request.query),
  );
  app.get(
    '/credit-applications/:id',
    { schema: { tags, params: IdParams, response: { 200: CreditApplicationDetail } } },
    async (request) =>
      getCreditApplication(db, request.principal, originOf(request, 'pane'), request.params.id),
  );
  app.post(
    '/credit-applications/:id/advance',
    {
      schema: {
        tags,
        params: IdParams,
        body: AdvanceStageRequest,
        response: { 200: CreditApplicationDetail },
      },
    },
    async (request) =>
      advanceStage(db, request.principal, originOf(request), request.params.id, request.body),
  );
  app.post(
    '/credit-applications/:id/return',
    {
      schema: {
        tags,
        params: IdParams,
        body: ReturnStageRequest,
        response: { 200: CreditApplicationDetail },
      },
    },
    async (request) => returnStage(db, request.principal, originOf(request), request.params.id, request.body),
  );
  app.post(
    '/credit-applications/:id/decision',
    { schema: { tags, params: IdParams, body: DecisionRequest, response: { 200: CreditApplicationDetail } } },
    async (request) => decide(db, request.principal, originOf(request), request.params.id, request.body),
  );
  app.post(
    '/credit-applications/:id/stage-owner',
    {
      schema: {
        tags,
        params: IdParams,
        body: ReassignStageRequest,
        response: { 200: CreditApplicationDetail },
      },
    },
    async (request) =>
      reassignStage(db, request.principal, originOf(request), request.params.id, request.body),
  );
  app.post(
    '/credit-applications/:id/nudges',
    { schema: { tags, params: IdParams, body: NudgeRequest, response: { 201: CreditNotice } } },
    async (request, reply) => {
      const notice = await nudgeStageOwner(
        db,
        request.principal,
        originOf(request, 'pane'),
        request.params.id,
        request.body,
      );
      return reply.status(201).send(notice);
    },
  );
}

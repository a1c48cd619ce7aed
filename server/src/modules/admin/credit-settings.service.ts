import {
  AppError,
  type ApprovalRouteDto,
  type CreateApprovalRouteRequestDto,
  type CreateHolidayRequestDto,
  formatMoney,
  type HolidayDto,
  type NewApprovalRouteVersionRequestDto,
  type NotificationTemplateDto,
  type PreviewTemplateRequestDto,
  type PreviewTemplateResultDto,
  type SaveApprovalRouteResultDto,
  TEMPLATE_PLACEHOLDERS,
  type TemplateParamsDto,
  toMinorUnits,
  type UpdateNotificationTemplateRequestDto,
  unknownPlaceholders,
} from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import { renderTemplate } from '../credit/client-notifications.ts';
import {
  findApprovalRoute,
  findOverlappingRoutes,
  holidayDto,
  templateDto,
} from './credit-settings.repository.ts';

// Credit settings of the admin page. Approval routes are never changed in place once saved: an edit is a new
// version (same name, version + 1) and the old one is deactivated in the same transaction, so applications
// that started on it keep walking its stages and SLAs (credit_applications.route_id points at the version).
// Every change is audited with before/after in its transaction.

type Actor = Pick<Principal, 'id' | 'role'>;
type RouteInput = Omit<CreateApprovalRouteRequestDto, 'name'>;

function conflict(what: string): never {
  throw new AppError(
    'VERSION_CONFLICT',
    `Someone changed this ${what} since you opened it: reload and try again`,
    'body.version',
  );
}

const invalid = (message: string, field: string): never => {
  throw new AppError('VALIDATION_FAILED', message, field);
};

/**
 * The route rules the schema cannot state: one owner per stage (role queue or an active business user), unique
 * stage codes, exactly one deciding stage and not the RM's (four eyes), returns only to earlier stages,
 * amount_min <= amount_max, products exist.
 * @throws AppError VALIDATION_FAILED naming the field (e.g. `body.stages.2.canReturnTo`)
 */
async function validateRoute(trx: Db, input: RouteInput): Promise<void> {
  if (
    input.amountMin !== null &&
    input.amountMax !== null &&
    toMinorUnits(input.amountMin) > toMinorUnits(input.amountMax)
  )
    invalid('The lower amount bound is above the upper one', 'body.amountMin');
  const seen: string[] = [];
  input.stages.forEach((st, i) => {
    const f = `body.stages.${i}`;
    if (seen.includes(st.stageCode)) invalid(`Stage ${st.stageCode} appears twice`, `${f}.stageCode`);
    if ((st.ownerRole === null) === (st.ownerUserId === null))
      invalid('A stage is owned by a role queue or by a named user: exactly one of them', `${f}.ownerRole`);
    const later = st.canReturnTo.find((c) => !seen.includes(c));
    if (later)
      invalid(`A stage can only return to an earlier stage of the route, not ${later}`, `${f}.canReturnTo`);
    seen.push(st.stageCode);
  });
  if (input.stages.filter((st) => st.decides).length !== 1)
    invalid('Exactly one stage decides (approve / approve on changed terms)', 'body.stages');
  // Four eyes (banking.md): the manager who brings the application never approves it.
  const selfApproval = input.stages.findIndex((st) => st.decides && st.ownerRole === 'client_manager');
  if (selfApproval >= 0)
    invalid(
      "The deciding stage cannot be the client's manager's: someone other than the RM approves",
      `body.stages.${selfApproval}.ownerRole`,
    );

  const products = await trx
    .selectFrom('products')
    .where('kind', '=', 'loan')
    .where('code', 'in', input.productCodes)
    .select('code')
    .execute();
  const known = new Set(products.map((p) => p.code));
  const missing = input.productCodes.findIndex((c) => !known.has(c));
  if (missing >= 0) invalid(`No loan product ${input.productCodes[missing]}`, `body.productCodes.${missing}`);

  const userIds = input.stages.map((st) => st.ownerUserId).filter((u): u is string => u !== null);
  if (userIds.length > 0) {
    // A named owner works on clients: an administrator (who sees no client data) would hold a stage nobody
    // can act on, and so would a relationship manager for decisions (four eyes).
    const users = await trx
      .selectFrom('users')
      .where('id', 'in', userIds)
      .where('is_active', '=', true)
      .where('role', 'in', ['credit_officer', 'supervisor', 'relationship_manager'])
      .select(['id', 'role'])
      .execute();
    const bad = input.stages.findIndex((st) => st.ownerUserId && !users.some((u) => u.id === st.ownerUserId));
    if (bad >= 0)
      invalid(
        'The stage owner must be an active credit officer, supervisor or relationship manager',
        `body.stages.${bad}.ownerUserId`,
      );
    const rmDecides = input.stages.findIndex(
      (st) => st.decides && users.some((u) => u.id === st.ownerUserId && u.role === 'relationship_manager'),
    );
    if (rmDecides >= 0)
      invalid(
        'A relationship manager cannot own the deciding stage: choose a credit officer or a supervisor',
        `body.stages.${rmDecides}.ownerUserId`,
      );
  }
}

async function assertNoOverlap(trx: Db, name: string, input: RouteInput): Promise<void> {
  const clash = await findOverlappingRoutes(trx, {
    name,
    productCodes: input.productCodes,
    currency: input.currency,
    priority: input.priority,
    min: input.amountMin,
    max: input.amountMax,
  });
  if (clash.length > 0)
    throw new AppError(
      'ROUTE_OVERLAP',
      `Active route "${clash[0]!.name}" (version ${clash[0]!.version}) has the same priority and takes the same product, currency and amounts: change the priority or the range`,
      'body.priority',
    );
}

// Route writes are serialised, so two admins cannot save overlapping routes at the same moment.
const lockRoutes = (trx: Db) => sql`select pg_advisory_xact_lock(hashtext('approval_routes'))`.execute(trx);

async function insertVersion(trx: Db, name: string, version: number, input: RouteInput): Promise<string> {
  const { id } = await trx
    .insertInto('approval_routes')
    .values({
      name,
      version,
      active: true,
      loan_kind: input.loanKind,
      product_codes: input.productCodes,
      amount_min: input.amountMin,
      amount_max: input.amountMax,
      currency: input.currency,
      priority: input.priority,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('route_stages')
    .values(
      input.stages.map((st, i) => ({
        route_id: id,
        ordinal: i + 1,
        stage_code: st.stageCode,
        owner_role: st.ownerRole,
        owner_user_id: st.ownerUserId,
        sla_working_hours: st.slaWorkingHours,
        can_return_to: st.canReturnTo,
        can_decline: st.canDecline,
        decides: st.decides,
      })),
    )
    .execute();
  return id;
}

/** What the audit keeps of a route version (no counts: they change without the route changing). */
const snapshot = (r: ApprovalRouteDto) => ({
  id: r.id,
  name: r.name,
  version: r.version,
  active: r.active,
  loanKind: r.loanKind,
  productCodes: r.productCodes,
  amountMin: r.amountMin,
  amountMax: r.amountMax,
  currency: r.currency,
  priority: r.priority,
  stages: r.stages.map((st) => ({
    stageCode: st.stageCode,
    ownerRole: st.ownerRole,
    ownerUserId: st.owner?.id ?? null,
    slaWorkingHours: st.slaWorkingHours,
    canReturnTo: st.canReturnTo,
    canDecline: st.canDecline,
    decides: st.decides,
  })),
});

/** Creates a route (version 1, active). @throws VALIDATION_FAILED, ALREADY_EXISTS (name), ROUTE_OVERLAP */
export async function createApprovalRoute(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  input: CreateApprovalRouteRequestDto,
): Promise<SaveApprovalRouteResultDto> {
  const name = input.name.trim();
  const route = await db.transaction().execute(async (trx) => {
    await lockRoutes(trx);
    const taken = await trx
      .selectFrom('approval_routes')
      .where('name', '=', name)
      .select('id')
      .executeTakeFirst();
    if (taken)
      throw new AppError('ALREADY_EXISTS', 'A route with this name exists: edit it instead', 'body.name');
    await validateRoute(trx, input);
    await assertNoOverlap(trx, name, input);
    const id = await insertVersion(trx, name, 1, input);
    const dto = (await findApprovalRoute(trx, id))!;
    await recordAudit(trx, actor, origin, [
      {
        action: 'approval_route.create',
        result: 'ok',
        entity: 'approval_route',
        entityId: id,
        details: { after: snapshot(dto) },
      },
    ]);
    return dto;
  });
  return { route, previous: null };
}

/**
 * Saves an edited route as a new version: the edited version must be the newest of its name (else 409
 * VERSION_CONFLICT), the new one is active, every older one inactive; applications keep their version.
 * @throws NOT_FOUND, VERSION_CONFLICT, VALIDATION_FAILED, ROUTE_OVERLAP
 */
export async function saveApprovalRouteVersion(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  id: string,
  input: NewApprovalRouteVersionRequestDto,
): Promise<SaveApprovalRouteResultDto> {
  const { version, ...rest } = input;
  return db.transaction().execute(async (trx) => {
    await lockRoutes(trx);
    const before = await findApprovalRoute(trx, id);
    if (!before) throw new AppError('NOT_FOUND', 'No such approval route', 'params.id');
    const newest = await trx
      .selectFrom('approval_routes')
      .where('name', '=', before.name)
      .select(sql<number>`max(version)`.as('v'))
      .executeTakeFirstOrThrow();
    if (before.version !== version || newest.v !== before.version) conflict('approval route');
    await validateRoute(trx, rest);
    await assertNoOverlap(trx, before.name, rest);
    await trx
      .updateTable('approval_routes')
      .set({ active: false })
      .where('name', '=', before.name)
      .where('active', '=', true)
      .execute();
    const newId = await insertVersion(trx, before.name, before.version + 1, rest);
    const after = (await findApprovalRoute(trx, newId))!;
    await recordAudit(trx, actor, origin, [
      {
        action: 'approval_route.version',
        result: 'ok',
        entity: 'approval_route',
        entityId: newId,
        details: {
          previousId: before.id,
          openApplicationsOnPrevious: before.openApplications,
          before: snapshot(before),
          after: snapshot(after),
        },
      },
    ]);
    return {
      route: after,
      previous: { id: before.id, version: before.version, openApplications: before.openApplications },
    };
  });
}

/**
 * Deactivates a route version: no new application takes it; running ones keep walking it.
 * @throws NOT_FOUND, VERSION_CONFLICT (not the version the admin saw, or no longer the newest)
 */
export async function deactivateApprovalRoute(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  id: string,
  version: number,
): Promise<ApprovalRouteDto> {
  return db.transaction().execute(async (trx) => {
    await lockRoutes(trx);
    const before = await findApprovalRoute(trx, id);
    if (!before) throw new AppError('NOT_FOUND', 'No such approval route', 'params.id');
    if (before.version !== version) conflict('approval route');
    if (!before.active) return before;
    await trx.updateTable('approval_routes').set({ active: false }).where('id', '=', id).execute();
    await recordAudit(trx, actor, origin, [
      {
        action: 'approval_route.deactivate',
        result: 'ok',
        entity: 'approval_route',
        entityId: id,
        details: {
          name: before.name,
          version: before.version,
          openApplications: before.openApplications,
          changes: { active: { from: true, to: false } },
        },
      },
    ]);
    return { ...before, active: false };
  });
}

/** Adds a production-calendar day. @throws VALIDATION_FAILED (region), ALREADY_EXISTS (same day) */
export async function createHoliday(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  input: CreateHolidayRequestDto,
): Promise<HolidayDto> {
  const region = input.region?.trim() ?? null;
  try {
    return await db.transaction().execute(async (trx) => {
      if (region !== null) {
        const r = await trx.selectFrom('regions').where('name', '=', region).select('id').executeTakeFirst();
        if (!r) invalid(`No region named ${region}`, 'body.region');
      }
      const row = await trx
        .insertInto('holidays')
        .values({
          country: input.country,
          region,
          date: input.date,
          kind: input.kind,
          name: input.name.trim(),
        })
        .returning(['id', 'country', 'region', 'date', 'kind', 'name'])
        .executeTakeFirstOrThrow();
      const dto = holidayDto(row);
      await recordAudit(trx, actor, origin, [
        {
          action: 'holiday.create',
          result: 'ok',
          entity: 'holiday',
          entityId: dto.id,
          details: { after: dto },
        },
      ]);
      return dto;
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw new AppError(
        'ALREADY_EXISTS',
        'This day is already in the calendar: delete it first to change it',
        'body.date',
      );
    throw err;
  }
}

/**
 * Removes a production-calendar day. Stages already entered keep their due times; stages entered from now on
 * count the day as the branch's ordinary day. @throws NOT_FOUND
 */
export async function deleteHoliday(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  id: string,
): Promise<HolidayDto> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom('holidays')
      .where('id', '=', id)
      .returning(['id', 'country', 'region', 'date', 'kind', 'name'])
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'No such day in the production calendar', 'params.id');
    const dto = holidayDto(row);
    await recordAudit(trx, actor, origin, [
      { action: 'holiday.delete', result: 'ok', entity: 'holiday', entityId: id, details: { before: dto } },
    ]);
    return dto;
  });
}

/** Placeholders must be the event's (an unknown one would reach the client as an empty gap). */
function checkPlaceholders(
  event: PreviewTemplateRequestDto['event'],
  texts: [string, string | null | undefined][],
) {
  for (const [field, text] of texts) {
    if (!text) continue;
    const unknown = unknownPlaceholders(text, TEMPLATE_PLACEHOLDERS[event]);
    if (unknown.length > 0)
      invalid(
        `Unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(', ')}; this message knows ${TEMPLATE_PLACEHOLDERS[event].map((p) => `{{${p}}}`).join(', ')}`,
        field,
      );
  }
}

/**
 * Edits a notification template; the next message of its event uses the new text (messages already queued
 * keep theirs). SMS has no subject, email needs one.
 * @throws NOT_FOUND, VERSION_CONFLICT, VALIDATION_FAILED (unknown placeholder: `body.body` / `body.subject`)
 */
export async function updateTemplate(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  key: TemplateParamsDto,
  input: UpdateNotificationTemplateRequestDto,
): Promise<NotificationTemplateDto> {
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('notification_templates')
      .selectAll()
      .where('event', '=', key.event)
      .where('channel', '=', key.channel)
      .where('lang', '=', key.lang)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new AppError('NOT_FOUND', 'No such template', 'params.event');
    if (before.version !== input.version) conflict('template');
    if (key.channel === 'sms' && input.subject) invalid('An SMS has no subject', 'body.subject');
    if (key.channel === 'email' && input.subject === null)
      invalid('An email needs a subject', 'body.subject');
    // A subject is one header line: a line break would start another header (break-it review: "\r\nBcc:").
    if (input.subject && /[\r\n]/.test(input.subject)) invalid('A subject is a single line', 'body.subject');
    checkPlaceholders(key.event, [
      ['body.subject', input.subject],
      ['body.body', input.body],
    ]);
    const next = { subject: input.subject?.trim(), body: input.body?.trim(), enabled: input.enabled };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [k, to] of Object.entries(next))
      if (to !== undefined && before[k as keyof typeof before] !== to)
        changes[k] = { from: before[k as keyof typeof before], to };
    if (Object.keys(changes).length === 0) return templateDto(before);
    const set = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to]));
    const row = await trx
      .updateTable('notification_templates')
      .set({ ...set, version: sql`version + 1`, updated_at: sql`now()` })
      .where('event', '=', key.event)
      .where('channel', '=', key.channel)
      .where('lang', '=', key.lang)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, origin, [
      {
        action: 'notification_template.update',
        result: 'ok',
        entity: 'notification_template',
        entityId: `${key.event}/${key.channel}/${key.lang}`,
        details: { fields: Object.keys(changes), changes },
      },
    ]);
    return templateDto(row);
  });
}

/** Renders a template text with sample data, as the client would get it. @throws VALIDATION_FAILED */
export function previewTemplate(input: PreviewTemplateRequestDto): PreviewTemplateResultDto {
  checkPlaceholders(input.event, [
    ['body.subject', input.subject],
    ['body.body', input.body],
  ]);
  const ru = input.lang === 'ru';
  const vars = {
    number: 'КЗ-2026-5000123',
    clientName: ru ? 'Иванов Иван Иванович' : 'John Smith',
    product: ru ? 'Потребительский кредит' : 'Consumer loan',
    amount: formatMoney({ amount: '300000.00', currency: 'RUB' }, ru ? 'ru-RU' : 'en-GB'),
    term: '36',
    comment: ru ? 'справка о доходах за 6 месяцев' : 'income statement for 6 months',
  };
  return {
    subject: input.subject ? renderTemplate(input.subject, vars) : null,
    body: renderTemplate(input.body, vars),
  };
}

import { type Static, Type } from 'typebox';
import { LOAN_KINDS } from '../credit.ts';
import { CREDIT_STAGES } from './clients.ts';
import { DateOnly, DateTime, Id, NonBlankText } from './common.ts';
import { Amount, STAGE_OWNER_ROLES } from './credit.ts';

// The admin page's credit settings (/api/v1/admin/credit/*, admin rights only): approval routes (versioned: an
// edit is a new version, running applications keep theirs), the production calendar (holidays) and the client
// notification templates. Money bounds are decimal strings in the route's ISO 4217 currency, never floats.

const Version = Type.Integer({ minimum: 1 });
/** ISO 4217 alphabetic code, e.g. `RUB`. */
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' });
const ProductCode = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Z0-9-]+$' });

/** One stage of a route as the admin edits it: the owner is a role queue or a named user, never both. */
export const RouteStageInput = Type.Object(
  {
    stageCode: Type.Enum(CREDIT_STAGES),
    ownerRole: Type.Union([Type.Enum(STAGE_OWNER_ROLES), Type.Null()]),
    ownerUserId: Type.Union([Id, Type.Null()]),
    /** SLA in working hours of the branch calendar, 1..2000. */
    slaWorkingHours: Type.Integer({ minimum: 1, maximum: 2000 }),
    /** Earlier stages of the same route this stage may send the application back to. */
    canReturnTo: Type.Array(Type.Enum(CREDIT_STAGES), { maxItems: CREDIT_STAGES.length, uniqueItems: true }),
    canDecline: Type.Boolean(),
    /** The one stage where approve / approve on changed terms is decided. */
    decides: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type RouteStageInputDto = Static<typeof RouteStageInput>;

const routeFields = {
  loanKind: Type.Enum(LOAN_KINDS),
  /** Loan products (products.code) the route takes. */
  productCodes: Type.Array(ProductCode, { minItems: 1, maxItems: 50, uniqueItems: true }),
  /** Amount range, inclusive; null = open end. */
  amountMin: Type.Union([Amount, Type.Null()]),
  amountMax: Type.Union([Amount, Type.Null()]),
  currency: Currency,
  /** Higher wins when two active routes match. */
  priority: Type.Integer({ minimum: 0, maximum: 1000 }),
  /** In order: the application walks them top to bottom. */
  stages: Type.Array(RouteStageInput, { minItems: 1, maxItems: CREDIT_STAGES.length }),
};

/** POST /admin/credit/routes: a new route (version 1, active). */
export const CreateApprovalRouteRequest = Type.Object(
  { name: NonBlankText(200), ...routeFields },
  { additionalProperties: false },
);
export type CreateApprovalRouteRequestDto = Static<typeof CreateApprovalRouteRequest>;

/**
 * POST /admin/credit/routes/:id/versions: "editing" a route. `version` is the route version the admin edited
 * (it must still be the newest of its name, else 409 VERSION_CONFLICT); the new version gets version + 1 and is
 * active, the old one is deactivated; applications already on it keep walking it.
 */
export const NewApprovalRouteVersionRequest = Type.Object(
  { version: Version, ...routeFields },
  { additionalProperties: false },
);
export type NewApprovalRouteVersionRequestDto = Static<typeof NewApprovalRouteVersionRequest>;

/** POST /admin/credit/routes/:id/deactivate: no new application takes the route; running ones keep it. */
export const DeactivateApprovalRouteRequest = Type.Object(
  { version: Version },
  { additionalProperties: false },
);
export type DeactivateApprovalRouteRequestDto = Static<typeof DeactivateApprovalRouteRequest>;

export const RouteStage = Type.Object({
  id: Id,
  ordinal: Type.Integer(),
  stageCode: Type.Enum(CREDIT_STAGES),
  ownerRole: Type.Union([Type.Enum(STAGE_OWNER_ROLES), Type.Null()]),
  owner: Type.Union([Type.Object({ id: Id, name: Type.String(), isActive: Type.Boolean() }), Type.Null()]),
  slaWorkingHours: Type.Integer(),
  canReturnTo: Type.Array(Type.Enum(CREDIT_STAGES)),
  canDecline: Type.Boolean(),
  decides: Type.Boolean(),
});
export type RouteStageDto = Static<typeof RouteStage>;

/** One version of a route. `applications`: how many applications reference it; `openApplications`: in progress. */
export const ApprovalRoute = Type.Object({
  id: Id,
  name: Type.String(),
  version: Type.Integer(),
  active: Type.Boolean(),
  loanKind: Type.Enum(LOAN_KINDS),
  productCodes: Type.Array(Type.String()),
  amountMin: Type.Union([Type.String(), Type.Null()]),
  amountMax: Type.Union([Type.String(), Type.Null()]),
  currency: Type.String(),
  priority: Type.Integer(),
  createdAt: DateTime,
  inUse: Type.Boolean(),
  applications: Type.Integer(),
  openApplications: Type.Integer(),
  stages: Type.Array(RouteStage),
});
export type ApprovalRouteDto = Static<typeof ApprovalRoute>;

/** GET /admin/credit/routes: every version of every route, by name then newest version first. */
export const ApprovalRoutes = Type.Object({
  items: Type.Array(ApprovalRoute),
  /** Loan products a route may name. */
  products: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), status: Type.String() })),
});
export type ApprovalRoutesDto = Static<typeof ApprovalRoutes>;

/** The answer of a save: the new version, and the one it replaced with its applications still in progress. */
export const SaveApprovalRouteResult = Type.Object({
  route: ApprovalRoute,
  previous: Type.Union([
    Type.Object({ id: Id, version: Type.Integer(), openApplications: Type.Integer() }),
    Type.Null(),
  ]),
});
export type SaveApprovalRouteResultDto = Static<typeof SaveApprovalRouteResult>;

export const HOLIDAY_KINDS = ['holiday', 'short_day', 'working_day'] as const;
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });

/** A production-calendar day; region null = the whole country, else a region's name (branches.region). */
export const Holiday = Type.Object({
  id: Id,
  country: Type.String(),
  region: Type.Union([Type.String(), Type.Null()]),
  date: DateOnly,
  kind: Type.Enum(HOLIDAY_KINDS),
  name: Type.String(),
});
export type HolidayDto = Static<typeof Holiday>;

/** GET /admin/credit/holidays: a year's days of a country (all its regions unless `region` is given). */
export const HolidaysQuery = Type.Object(
  {
    year: Type.Integer({ minimum: 1900, maximum: 2199 }),
    country: Type.Optional(Country),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type HolidaysQueryDto = Static<typeof HolidaysQuery>;
export const Holidays = Type.Object({
  items: Type.Array(Holiday),
  /** Regions a day may be limited to. */
  regions: Type.Array(Type.String()),
});
export type HolidaysDto = Static<typeof Holidays>;

/** POST /admin/credit/holidays. One row per country, region and date (409 ALREADY_EXISTS). */
export const CreateHolidayRequest = Type.Object(
  {
    country: Country,
    region: Type.Union([NonBlankText(200), Type.Null()]),
    date: DateOnly,
    kind: Type.Enum(HOLIDAY_KINDS),
    name: NonBlankText(200),
  },
  { additionalProperties: false },
);
export type CreateHolidayRequestDto = Static<typeof CreateHolidayRequest>;

/** Client events with message templates (the credit workflow's status changes). */
export const TEMPLATE_EVENTS = [
  'submitted',
  'documents_requested',
  'approved',
  'approved_changed_terms',
  'declined',
  'disbursed',
] as const;
export type TemplateEvent = (typeof TEMPLATE_EVENTS)[number];
export const TEMPLATE_CHANNELS = ['email', 'sms'] as const;
export const TEMPLATE_LANGS = ['ru', 'en'] as const;

const BASE_PLACEHOLDERS = ['number', 'clientName', 'product', 'amount', 'term'] as const;
/**
 * The `{{placeholders}}` each event fills (client-notifications.ts): `comment` is the documents requested or
 * the decision's reason.
 */
export const TEMPLATE_PLACEHOLDERS: Record<TemplateEvent, readonly string[]> = {
  submitted: BASE_PLACEHOLDERS,
  documents_requested: [...BASE_PLACEHOLDERS, 'comment'],
  approved: [...BASE_PLACEHOLDERS, 'comment'],
  approved_changed_terms: [...BASE_PLACEHOLDERS, 'comment'],
  declined: [...BASE_PLACEHOLDERS, 'comment'],
  disbursed: BASE_PLACEHOLDERS,
};

/** Placeholders of a text not in `known` (e.g. `{{x}}` -> `['x']`), in order of first use. */
export function unknownPlaceholders(text: string, known: readonly string[]): string[] {
  const out: string[] = [];
  // Exactly what the renderer fills: `{{ number }}` (with spaces) is not `{{number}}` and would stay empty.
  for (const m of text.matchAll(/\{\{([^{}]*)\}\}/g)) {
    const name = m[1] ?? '';
    if (!known.includes(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

export const NotificationTemplate = Type.Object({
  event: Type.Enum(TEMPLATE_EVENTS),
  channel: Type.Enum(TEMPLATE_CHANNELS),
  lang: Type.Enum(TEMPLATE_LANGS),
  /** Email only; SMS has none. */
  subject: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
  enabled: Type.Boolean(),
  version: Type.Integer(),
  updatedAt: DateTime,
});
export type NotificationTemplateDto = Static<typeof NotificationTemplate>;

export const NotificationTemplates = Type.Object({
  items: Type.Array(NotificationTemplate),
  placeholders: Type.Record(Type.String(), Type.Array(Type.String())),
});
export type NotificationTemplatesDto = Static<typeof NotificationTemplates>;

export const TemplateParams = Type.Object(
  {
    event: Type.Enum(TEMPLATE_EVENTS),
    channel: Type.Enum(TEMPLATE_CHANNELS),
    lang: Type.Enum(TEMPLATE_LANGS),
  },
  { additionalProperties: false },
);
export type TemplateParamsDto = Static<typeof TemplateParams>;

/** PATCH /admin/credit/templates/:event/:channel/:lang: the fields given change. */
export const UpdateNotificationTemplateRequest = Type.Object(
  {
    version: Version,
    subject: Type.Optional(Type.Union([NonBlankText(300), Type.Null()])),
    body: Type.Optional(NonBlankText(4000)),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateNotificationTemplateRequestDto = Static<typeof UpdateNotificationTemplateRequest>;

/** POST /admin/credit/templates/preview: renders a (possibly unsaved) text with sample data. */
export const PreviewTemplateRequest = Type.Object(
  {
    event: Type.Enum(TEMPLATE_EVENTS),
    lang: Type.Enum(TEMPLATE_LANGS),
    subject: Type.Union([Type.String({ maxLength: 300 }), Type.Null()]),
    body: Type.String({ maxLength: 4000 }),
  },
  { additionalProperties: false },
);
export type PreviewTemplateRequestDto = Static<typeof PreviewTemplateRequest>;
export const PreviewTemplateResult = Type.Object({
  subject: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
});
export type PreviewTemplateResultDto = Static<typeof PreviewTemplateResult>;

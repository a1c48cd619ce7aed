import { type Static, Type } from 'typebox';
import { CREDIT_DECISIONS, CREDIT_STAGES, ProductRef } from './clients.ts';
import { DateTime, FIELD_MESSAGE_KEYWORD, Id, MoneySchema, NonBlankText, UserRef } from './common.ts';

// Credit applications along approval routes (banking.md, "Credit applications"). Money and rates are decimal
// strings, never floats.

export const CREDIT_APPLICATION_STATUSES = [
  'in_progress',
  'declined',
  'refused',
  'disbursed',
  'cancelled',
] as const;
export const SLA_STATES = ['on_track', 'at_risk', 'breached'] as const;
export const STAGE_OUTCOMES = [
  'forwarded',
  'returned',
  'approved',
  'approved_changed_terms',
  'declined',
  'client_refused',
  'completed',
] as const;
export const STAGE_OWNER_ROLES = ['client_manager', 'credit_officer', 'supervisor'] as const;
export const PARTY_ROLES = ['guarantor', 'co_borrower', 'pledgor'] as const;
export const CREDIT_NOTICE_KINDS = [
  'nudge',
  'sla_at_risk',
  'sla_breached',
  'escalation',
  'assigned',
] as const;

/** A non-negative amount in the currency of the application, e.g. `"85000.00"`. */
export const Amount = Type.String({
  pattern: '^\\d{1,18}(\\.\\d{1,2})?$',
  description: 'Decimal string',
  [FIELD_MESSAGE_KEYWORD]: 'must be an amount of at least 0 with at most 2 decimals, e.g. "60000.00"',
});
/** Annual rate in percent, e.g. `"19.9"`. */
export const RatePercent = Type.String({
  pattern: '^\\d{1,3}(\\.\\d{1,3})?$',
  description: 'Percent per year',
  [FIELD_MESSAGE_KEYWORD]: 'must be a rate in percent a year with at most 3 decimals, e.g. "14.9"',
});

/**
 * A requested or decided loan amount: positive (never zero, never negative), at most 15 integer digits and 2
 * decimals, e.g. `{ amount: "300000.00", currency: "RUB" }`.
 */
export const LoanAmount = Type.Object(
  {
    amount: Type.String({
      pattern: '^(?!0+(?:\\.0+)?$)\\d{1,15}(\\.\\d{1,2})?$',
      description: 'Positive decimal string, never a float',
      [FIELD_MESSAGE_KEYWORD]:
        'must be an amount above 0 with at most 15 digits and 2 decimals, e.g. "300000.00"',
    }),
    currency: Type.String({
      pattern: '^[A-Z]{3}$',
      description: 'ISO 4217 code',
      [FIELD_MESSAGE_KEYWORD]: 'must be an ISO 4217 currency code, e.g. "RUB"',
    }),
  },
  { additionalProperties: false },
);

/** POST /api/v1/credit-applications: an application for a visible client (from the pane or the API). */
export const CreateCreditApplicationRequest = Type.Object(
  {
    clientId: Id,
    productCode: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Z0-9-]+$' }),
    amount: LoanAmount,
    termMonths: Type.Integer({ minimum: 1, maximum: 600 }),
    /** For the new loan's monthly payment (annuity) in the PDN. */
    ratePercent: RatePercent,
    purpose: NonBlankText(500),
    monthlyIncome: Amount,
    existingMonthlyPayments: Amount,
    guarantorIds: Type.Optional(Type.Array(Id, { maxItems: 10, uniqueItems: true })),
    coBorrowerIds: Type.Optional(Type.Array(Id, { maxItems: 10, uniqueItems: true })),
    collateralDescription: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type CreateCreditApplicationRequestDto = Static<typeof CreateCreditApplicationRequest>;

export const ApplicationStage = Type.Object({
  id: Id,
  stage: Type.Enum(CREDIT_STAGES),
  owner: Type.Union([UserRef, Type.Null()]),
  /** The role queue the stage belongs to (null: a named user). */
  ownerRole: Type.Union([Type.Enum(STAGE_OWNER_ROLES), Type.Null()]),
  slaWorkingHours: Type.Union([Type.Integer(), Type.Null()]),
  enteredAt: DateTime,
  dueAt: Type.Union([DateTime, Type.Null()]),
  completedAt: Type.Union([DateTime, Type.Null()]),
  completedBy: Type.Union([UserRef, Type.Null()]),
  outcome: Type.Union([Type.Enum(STAGE_OUTCOMES), Type.Null()]),
  comment: Type.Union([Type.String(), Type.Null()]),
  slaState: Type.Enum(SLA_STATES),
  taskId: Type.Union([Id, Type.Null()]),
});
export type ApplicationStageDto = Static<typeof ApplicationStage>;

/** A notice's id: a positive integer as a decimal string (the table's `bigint` identity). */
export const NoticeId = Type.String({ pattern: '^[1-9][0-9]{0,17}$' });

export const CreditNotice = Type.Object({
  id: NoticeId,
  kind: Type.Enum(CREDIT_NOTICE_KINDS),
  applicationId: Id,
  applicationNumber: Type.String(),
  /** The application's client (the pane opens its card from the notice). */
  client: Type.Object({ id: Id, displayName: Type.String() }),
  stage: Type.Union([Type.Enum(CREDIT_STAGES), Type.Null()]),
  /** The stage's SLA deadline (at risk, breached: the pane shows it in the reader's time). */
  stageDueAt: Type.Union([DateTime, Type.Null()]),
  /** Who holds the stage (an escalation names them to their supervisor). */
  stageOwner: Type.Union([UserRef, Type.Null()]),
  /** The nudge's text; null for SLA notices (their facts are the fields above). */
  message: Type.Union([Type.String(), Type.Null()]),
  author: Type.Union([UserRef, Type.Null()]),
  /** Who it went to (the stage owner, or their supervisor for an escalation). */
  recipient: UserRef,
  createdAt: DateTime,
  readAt: Type.Union([DateTime, Type.Null()]),
});
export type CreditNoticeDto = Static<typeof CreditNotice>;

export const DebtBurdenSchema = Type.Object({
  monthlyIncome: Type.Union([Amount, Type.Null()]),
  existingMonthlyPayments: Type.Union([Amount, Type.Null()]),
  newMonthlyPayment: Type.Union([Amount, Type.Null()]),
  /** PDN, percent with 2 decimals. */
  ratioPercent: Type.Union([Type.String(), Type.Null()]),
  /** PDN above 50%: the client must be warned in writing. */
  warning: Type.Boolean(),
  /** Income and existing payments withheld (`null`): the user lacks the `view_personal_data` grant. */
  masked: Type.Boolean(),
});

/** One application with its route, every stage it went through and the nudges on it. */
export const CreditApplicationDetail = Type.Object({
  id: Id,
  number: Type.String(),
  version: Type.Integer({ minimum: 1, description: 'Optimistic concurrency: send back on every move' }),
  client: Type.Object({ id: Id, displayName: Type.String() }),
  product: ProductRef,
  amount: MoneySchema,
  termMonths: Type.Integer(),
  ratePercent: Type.Union([Type.String(), Type.Null()]),
  purpose: Type.Union([Type.String(), Type.Null()]),
  collateralDescription: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(CREDIT_APPLICATION_STATUSES),
  stage: Type.Enum(CREDIT_STAGES),
  route: Type.Union([Type.Object({ id: Id, name: Type.String(), version: Type.Integer() }), Type.Null()]),
  pdn: DebtBurdenSchema,
  coolingOff: Type.Object({
    hours: Type.Union([Type.Integer(), Type.Null()]),
    endsAt: Type.Union([DateTime, Type.Null()]),
  }),
  decision: Type.Union([Type.Enum(CREDIT_DECISIONS), Type.Null()]),
  decisionDetails: Type.Union([
    Type.Object({
      decidedAt: DateTime,
      decidedBy: Type.Union([UserRef, Type.Null()]),
      reason: Type.Union([Type.String(), Type.Null()]),
      /** Set for approved / approved on changed terms: the terms the client is offered. */
      approvedTerms: Type.Union([
        Type.Object({
          amount: MoneySchema,
          termMonths: Type.Integer(),
          ratePercent: Type.Union([Type.String(), Type.Null()]),
        }),
        Type.Null(),
      ]),
    }),
    Type.Null(),
  ]),
  /** Guarantors and co-borrowers the caller may see (others are counted in `hiddenParties`). */
  parties: Type.Array(
    Type.Object({ clientId: Id, displayName: Type.String(), role: Type.Enum(PARTY_ROLES) }),
  ),
  hiddenParties: Type.Integer(),
  currentStage: Type.Union([ApplicationStage, Type.Null()]),
  stages: Type.Array(ApplicationStage),
  nudges: Type.Array(CreditNotice),
  createdAt: DateTime,
  createdBy: Type.Union([UserRef, Type.Null()]),
  /**
   * What the caller may do to the application now, by the route's rules for its current stage and who holds
   * it (the pane offers only these; the server checks again on every move).
   */
  actions: Type.Object({
    /** Complete the current stage: POST .../advance (not at the deciding stage before its decision). */
    advance: Type.Boolean(),
    /** Earlier stages the route lets the current one send it back to: POST .../return. */
    returnTo: Type.Array(Type.Enum(CREDIT_STAGES)),
    /** approved / approved_changed_terms: the route's deciding stage; never who brought the application or manages the client (four eyes). */
    approve: Type.Boolean(),
    /** declined, with a reason. */
    decline: Type.Boolean(),
    /** client_refused: the client's manager (or their supervisor) or the stage owner, before disbursement. */
    refuse: Type.Boolean(),
  }),
});
export type CreditApplicationDetailDto = Static<typeof CreditApplicationDetail>;

const Version = Type.Integer({ minimum: 1 });
const Comment = Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]));

/** POST .../:id/advance: the current stage is done, the next one starts (the last one completes). */
export const AdvanceStageRequest = Type.Object(
  { version: Version, comment: Comment },
  { additionalProperties: false },
);
export type AdvanceStageRequestDto = Static<typeof AdvanceStageRequest>;

/** POST .../:id/return: back to an earlier stage the route allows (e.g. documents), saying what is missing. */
export const ReturnStageRequest = Type.Object(
  { version: Version, toStage: Type.Enum(CREDIT_STAGES), comment: NonBlankText(2000) },
  { additionalProperties: false },
);
export type ReturnStageRequestDto = Static<typeof ReturnStageRequest>;

/**
 * POST .../:id/decision. `approved` and `approved_changed_terms` at the route's deciding stage (changed terms
 * require `terms`); `declined` at a stage that may decline, with `reason`; `client_refused` at any time before
 * disbursement (including the cooling-off period).
 */
export const DecisionRequest = Type.Object(
  {
    version: Version,
    decision: Type.Enum(CREDIT_DECISIONS),
    reason: Type.Optional(Type.Union([NonBlankText(2000), Type.Null()])),
    terms: Type.Optional(
      Type.Object(
        {
          amount: LoanAmount,
          termMonths: Type.Integer({ minimum: 1, maximum: 600 }),
          ratePercent: RatePercent,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type DecisionRequestDto = Static<typeof DecisionRequest>;

/** POST .../:id/stage-owner: the current stage (and its task) goes to another user. */
export const ReassignStageRequest = Type.Object(
  { version: Version, ownerId: Id, comment: Comment },
  { additionalProperties: false },
);
export type ReassignStageRequestDto = Static<typeof ReassignStageRequest>;

/** POST .../:id/nudges: a comment or question to the current stage owner. */
export const NudgeRequest = Type.Object({ message: NonBlankText(1000) }, { additionalProperties: false });
export type NudgeRequestDto = Static<typeof NudgeRequest>;

export const CreditNoticesQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
/**
 * GET /api/v1/credit-applications/notices: the caller's notices on applications whose client they may still
 * see, newest first; `unreadCount` counts all of those unread (not only the page).
 */
export const CreditNotices = Type.Object({
  unreadCount: Type.Integer({ minimum: 0 }),
  items: Type.Array(CreditNotice),
});
export type CreditNoticesDto = Static<typeof CreditNotices>;

/** GET /api/v1/credit-applications/notices/unread-count: the pane's badge (no client data, not audited). */
export const CreditNoticesUnread = Type.Object({ unreadCount: Type.Integer({ minimum: 0 }) });
export type CreditNoticesUnreadDto = Static<typeof CreditNoticesUnread>;

/**
 * POST /api/v1/credit-applications/notices/read: marks the caller's notices read, by id or `'all'`. Ids of
 * other users' notices (or of clients no longer visible) are ignored, not refused: they are not counted.
 */
export const MarkNoticesReadRequest = Type.Object(
  {
    ids: Type.Union([
      Type.Array(NoticeId, { minItems: 1, maxItems: 200, uniqueItems: true }),
      Type.Literal('all'),
    ]),
  },
  { additionalProperties: false },
);
export type MarkNoticesReadRequestDto = Static<typeof MarkNoticesReadRequest>;
/** How many notices this call marked read, and how many stay unread. */
export const MarkNoticesReadResult = Type.Object({
  marked: Type.Integer({ minimum: 0 }),
  unreadCount: Type.Integer({ minimum: 0 }),
});
export type MarkNoticesReadResultDto = Static<typeof MarkNoticesReadResult>;

/** GET /api/v1/credit-applications/sla-report: stages entered in [from, to), grouped. */
export const SlaReportQuery = Type.Object(
  {
    groupBy: Type.Enum(['stage', 'owner', 'branch']),
    from: DateTime,
    to: DateTime,
  },
  { additionalProperties: false },
);
export type SlaReportQueryDto = Static<typeof SlaReportQuery>;
export const SlaReport = Type.Object({
  groupBy: Type.Enum(['stage', 'owner', 'branch']),
  rows: Type.Array(
    Type.Object({
      key: Type.Union([Type.String(), Type.Null()]),
      label: Type.String(),
      /** Stage visits entered in the window. */
      stages: Type.Integer(),
      breached: Type.Integer(),
      atRisk: Type.Integer(),
      /** Of the breached: still open now. */
      openBreached: Type.Integer(),
    }),
  ),
});
export type SlaReportDto = Static<typeof SlaReport>;

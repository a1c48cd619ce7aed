import { type Static, Type } from 'typebox';
import { DateOnly, DateTime, Id, MoneySchema, UserRef } from './common.ts';

export const CLIENT_KINDS = ['individual', 'legal_entity'] as const;
export const CLIENT_STATUSES = ['potential', 'new', 'active', 'inactive'] as const;
export const SEGMENTS = ['retail', 'corporate', 'vip', 'loyal', 'churn_risk'] as const;
export const RELATION_ROLES = ['director', 'founder', 'contact_person', 'spouse', 'guarantor'] as const;
export const DEAL_STAGES = ['lead', 'qualification', 'proposal', 'negotiation', 'won', 'lost'] as const;
export const OPEN_DEAL_STAGES = ['lead', 'qualification', 'proposal', 'negotiation'] as const;
export const PRODUCT_KINDS = ['loan', 'deposit', 'card', 'account', 'cash_management'] as const;
/** The task types seeded by migration 2026-12-09 (the pane's built-in names); admins add more (`task_types`). */
export const TASK_TYPES = ['call', 'meeting', 'document_check', 'visit', 'follow_up', 'email'] as const;
export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TASK_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const;
/** Stages of a credit application along the default approval route (banking.md, "Credit applications"). */
export const CREDIT_STAGES = [
  'intake',
  'documents',
  'scoring',
  'security_check',
  'underwriting',
  'credit_committee',
  'decision',
  'signing',
  'disbursement',
] as const;
/** A stage of a credit application's approval route (banking.md, "Credit applications"). */
export type CreditStageCode = (typeof CREDIT_STAGES)[number];
export const CREDIT_DECISIONS = ['approved', 'approved_changed_terms', 'declined', 'client_refused'] as const;

export const ClientKind = Type.Enum(CLIENT_KINDS);
export const ClientStatus = Type.Enum(CLIENT_STATUSES);
export const Segment = Type.Enum(SEGMENTS);
/** A task type's code: `^[a-z][a-z0-9_]{1,39}$`. Task types are admin-configured (`task_types`); TASK_TYPES seeds it. */
export const TASK_TYPE_CODE_PATTERN = '^[a-z][a-z0-9_]{1,39}$';
/** A task type code; whether it exists and is active is the server's check (400 UNKNOWN_TASK_TYPE). */
export const TaskType = Type.String({ pattern: TASK_TYPE_CODE_PATTERN });
export const TaskPriority = Type.Enum(TASK_PRIORITIES);
export const TaskStatus = Type.Enum(TASK_STATUSES);

export const ProductRef = Type.Object({
  code: Type.String(),
  name: Type.String(),
  kind: Type.Enum(PRODUCT_KINDS),
});

export const Deal = Type.Object({
  id: Id,
  title: Type.String(),
  product: ProductRef,
  stage: Type.Enum(DEAL_STAGES),
  amount: MoneySchema,
  expectedCloseDate: Type.Union([DateOnly, Type.Null()]),
  manager: Type.Union([UserRef, Type.Null()]),
});
export type DealDto = Static<typeof Deal>;

export const CALENDAR_SYNC_STATES = [
  'pending',
  'synced',
  'failed',
  'not_syncable',
  'removed_in_outlook',
] as const;
/** State of a task's Outlook event: failed/not_syncable carry the reason; removed_in_outlook: the user deleted it. */
export const CalendarSync = Type.Object({
  state: Type.Enum(CALENDAR_SYNC_STATES),
  syncedAt: Type.Union([DateTime, Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
});
export type CalendarSyncDto = Static<typeof CalendarSync>;

export const Task = Type.Object({
  id: Id,
  title: Type.String(),
  type: TaskType,
  priority: TaskPriority,
  status: TaskStatus,
  dueAt: Type.Union([DateTime, Type.Null()]),
  effortEstimateMinutes: Type.Union([Type.Integer(), Type.Null()]),
  assignee: UserRef,
  author: UserRef,
  clientId: Type.Union([Id, Type.Null()]),
  dealId: Type.Union([Id, Type.Null()]),
  internetMessageId: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer({ minimum: 1, description: 'Optimistic concurrency: send back on PATCH' }),
  updatedAt: DateTime,
  plannedStartAt: Type.Union([DateTime, Type.Null()], {
    description: 'When the task is planned (calendar event start)',
  }),
  plannedDurationMinutes: Type.Union([Type.Integer(), Type.Null()]),
  allDay: Type.Boolean({
    description: 'All-day in the assignee calendar (the day of plannedStartAt in its zone)',
  }),
  calendarSync: Type.Union([CalendarSync, Type.Null()], {
    description:
      "The task's event in the assignee's Outlook calendar; null when it has none (no time, Graph off)",
  }),
  creditStage: Type.Union(
    [Type.Object({ applicationId: Id, number: Type.String(), stage: Type.Enum(CREDIT_STAGES) }), Type.Null()],
    {
      description:
        'The open credit application stage this task follows, or null: such a task is completed or handed over with its stage, never by itself (409 STAGE_TASK)',
    },
  ),
});
export type TaskDto = Static<typeof Task>;

export const CreditApplication = Type.Object({
  id: Id,
  number: Type.String(),
  product: ProductRef,
  amount: MoneySchema,
  termMonths: Type.Integer(),
  stage: Type.Enum(CREDIT_STAGES),
  stageEnteredAt: DateTime,
  slaDueAt: Type.Union([DateTime, Type.Null()]),
  decision: Type.Union([Type.Enum(CREDIT_DECISIONS), Type.Null()]),
  /** Credit workflow (2026-12-06): open or how it ended, who holds the current stage, its SLA state. */
  status: Type.Enum(['in_progress', 'declined', 'refused', 'disbursed', 'cancelled']),
  owner: Type.Union([UserRef, Type.Null()]),
  slaState: Type.Union([Type.Enum(['on_track', 'at_risk', 'breached']), Type.Null()]),
  lastDecision: Type.Union([
    Type.Object({
      decision: Type.Enum(CREDIT_DECISIONS),
      at: DateTime,
      reason: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
});
export type CreditApplicationDto = Static<typeof CreditApplication>;

export const Loan = Type.Object({
  id: Id,
  contractNumber: Type.String(),
  product: ProductRef,
  principal: MoneySchema,
  balance: MoneySchema,
  overdueAmount: MoneySchema,
  daysPastDue: Type.Integer({ minimum: 0 }),
  nextPaymentDate: Type.Union([DateOnly, Type.Null()]),
  nextPaymentAmount: Type.Union([MoneySchema, Type.Null()]),
});
export type LoanDto = Static<typeof Loan>;

export const IndividualProfile = Type.Object({
  lastName: Type.String(),
  firstName: Type.String(),
  middleName: Type.Union([Type.String(), Type.Null()]),
  birthDate: Type.Union([DateOnly, Type.Null()]),
  inn: Type.Union([Type.String(), Type.Null()]),
  citizenship: Type.Union([Type.String(), Type.Null()]),
});

export const LegalEntityProfile = Type.Object({
  fullName: Type.String(),
  shortName: Type.String(),
  inn: Type.String(),
  kpp: Type.Union([Type.String(), Type.Null()]),
  ogrn: Type.Union([Type.String(), Type.Null()]),
  okved: Type.Union([Type.String(), Type.Null()]),
  creditRating: Type.Union([Type.String(), Type.Null()]),
});

export const ContactPoint = Type.Object({
  kind: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
  value: Type.String(),
});

export const RelatedClient = Type.Object({
  clientId: Id,
  displayName: Type.String(),
  kind: ClientKind,
  role: Type.Enum(RELATION_ROLES),
  /** `outgoing`: this client is the `role` of the other (e.g. director of it); `incoming`: the other is ours. */
  direction: Type.Union([Type.Literal('outgoing'), Type.Literal('incoming')]),
});

/**
 * Personal-data fields of a card (152-FZ; banking.md, "Personal data and audit"), as paths in the card.
 * A principal without the `view_personal_data` grant gets each of them as `null`, and its path in the card's
 * `masked` list, so the pane can say "hidden" rather than "unknown". Passport/document numbers and income join
 * this list when those fields exist.
 */
export const PERSONAL_DATA_FIELDS = ['individual.birthDate'] as const;
export type PersonalDataField = (typeof PERSONAL_DATA_FIELDS)[number];

/** Languages the bank writes to clients in (templates exist in both). */
export const CLIENT_LANGUAGES = ['ru', 'en'] as const;
export type ClientLanguage = (typeof CLIENT_LANGUAGES)[number];

/** The client card with everything the pane shows for it. */
export const ClientCard = Type.Object({
  id: Id,
  kind: ClientKind,
  displayName: Type.String(),
  status: ClientStatus,
  /** The language the client's messages are written in; `null`: chosen by citizenship (RU or unknown: ru). */
  preferredLanguage: Type.Union([Type.Enum(CLIENT_LANGUAGES), Type.Null()]),
  segments: Type.Array(Segment),
  manager: Type.Union([UserRef, Type.Null()]),
  branches: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
  individual: Type.Union([IndividualProfile, Type.Null()]),
  legalEntity: Type.Union([LegalEntityProfile, Type.Null()]),
  contacts: Type.Array(ContactPoint),
  related: Type.Array(RelatedClient),
  deals: Type.Array(Deal),
  tasks: Type.Array(Task),
  credit: Type.Object({ applications: Type.Array(CreditApplication), loans: Type.Array(Loan) }),
  /** Personal-data fields withheld from this user (their value is `null`); empty when all are shown. */
  masked: Type.Array(Type.Enum(PERSONAL_DATA_FIELDS)),
  /** Lists cut at the card's limit (50 rows): the client has more than the card carries. */
  truncated: Type.Array(Type.Enum(['deals', 'tasks', 'applications', 'loans'])),
});
export type ClientCardDto = Static<typeof ClientCard>;

/** One row of a client search. */
export const ClientSummary = Type.Object({
  id: Id,
  kind: ClientKind,
  displayName: Type.String(),
  status: ClientStatus,
  inn: Type.Union([Type.String(), Type.Null()]),
  manager: Type.Union([UserRef, Type.Null()]),
});
export type ClientSummaryDto = Static<typeof ClientSummary>;

export const ClientSearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 2, maxLength: 200, description: 'Name, INN, email or phone' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
  },
  { additionalProperties: false },
);
export const ClientSearchResult = Type.Object({ items: Type.Array(ClientSummary) });
export type ClientSearchResultDto = Static<typeof ClientSearchResult>;

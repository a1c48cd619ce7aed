import type { ColumnType, Generated } from 'kysely';

// Row types of the database; API shapes live in shared/ and are mapped in repositories.
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Numeric = ColumnType<string, string | number, string | number>;
type DateCol = ColumnType<string, string, string>;

export type BranchesTable = {
  id: Generated<string>;
  code: string;
  name: string;
  region: string;
  time_zone: Generated<string>;
  /** Admin migration (2026-12-04): the region row (`region` keeps its name, a trigger keeps both in step). */
  region_id: Generated<string | null>;
  version: Generated<number>;
};
export type UsersTable = {
  id: Generated<string>;
  name: string;
  email: string;
  role: 'relationship_manager' | 'supervisor' | 'credit_officer' | 'admin';
  branch_id: string | null;
  supervisor_id: string | null;
  is_active: Generated<boolean>;
  created_at: Generated<Timestamp>;
  /** Entra ID tenant (`tid`) and object id (`oid`): how a signed-in user is found; both or neither. */
  entra_tenant_id: string | null;
  entra_object_id: string | null;
  /** Admin migration (2026-12-04): team membership, optimistic concurrency, when deactivated (never deleted). */
  team_id: Generated<string | null>;
  version: Generated<number>;
  deactivated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Migration 2026-12-08: language of mail sent to the user; null = Russian. */
  language: Generated<'ru' | 'en' | null>;
};
export type RoleGrantsTable = {
  user_id: string;
  grant: 'view_personal_data' | 'admin';
  granted_by: string | null;
  granted_at: Generated<Timestamp>;
};
export type IdempotencyKeysTable = {
  user_id: string;
  key: string;
  route: string;
  request_hash: string;
  status_code: number | null;
  response: ColumnType<unknown, string | null, string | null>;
  created_at: Generated<Timestamp>;
};
export type UserAddressesTable = {
  address_key: string;
  user_id: string;
  kind: 'email' | 'alias' | 'exchange_dn';
};
export type ClientsTable = {
  id: Generated<string>;
  kind: 'individual' | 'legal_entity';
  status: 'potential' | 'new' | 'active' | 'inactive';
  segments: Generated<string[]>;
  display_name: string;
  search_name: string;
  /** Transliterated `search_name`, kept by PostgreSQL (generated column): Latin queries find Cyrillic names. */
  search_name_latin: ColumnType<string, never, never>;
  manager_id: string | null;
  /** Language of the client's messages (migration 2026-12-09T1300); null: by citizenship. */
  preferred_language: Generated<'ru' | 'en' | null>;
  version: Generated<number>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
};
export type ClientBranchesTable = { client_id: string; branch_id: string };
export type IndividualProfilesTable = {
  client_id: string;
  last_name: string;
  first_name: string;
  middle_name: string | null;
  birth_date: DateCol | null;
  inn: string | null;
  citizenship: string | null;
};
export type LegalEntityProfilesTable = {
  client_id: string;
  full_name: string;
  short_name: string;
  inn: string;
  kpp: string | null;
  ogrn: string | null;
  okved: string | null;
  credit_rating: string | null;
};
export type ContactPointsTable = {
  id: Generated<string>;
  client_id: string;
  kind: 'email' | 'phone';
  value: string;
  value_normalized: string;
  is_primary: Generated<boolean>;
};
export type ClientRelationsTable = {
  id: Generated<string>;
  from_client_id: string;
  to_client_id: string;
  role: 'director' | 'founder' | 'contact_person' | 'spouse' | 'guarantor';
  share_percent: Numeric | null;
};
export type ProductsTable = {
  id: Generated<string>;
  code: string;
  name: string;
  kind: 'loan' | 'deposit' | 'card' | 'account' | 'cash_management';
  status: 'active' | 'planned' | 'expired';
};
export type DealsTable = {
  id: Generated<string>;
  client_id: string;
  product_id: string;
  title: string;
  stage: 'lead' | 'qualification' | 'proposal' | 'negotiation' | 'won' | 'lost';
  amount: Numeric;
  currency: string;
  expected_close_date: DateCol | null;
  manager_id: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
};
export type TasksTable = {
  id: Generated<string>;
  title: string;
  type: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  status: 'open' | 'in_progress' | 'done' | 'cancelled';
  due_at: Timestamp | null;
  effort_estimate_minutes: number | null;
  assignee_id: string;
  author_id: string;
  client_id: string | null;
  deal_id: string | null;
  internet_message_id: string | null;
  completed_at: Timestamp | null;
  /** Calendar sync (migration 2026-12-03): when the task is planned in the assignee's calendar. */
  planned_start_at: Timestamp | null;
  planned_duration_minutes: number | null;
  all_day: Generated<boolean>;
  version: Generated<number>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
};
export type TaskHistoryTable = {
  id: Generated<string>;
  task_id: string;
  actor_id: string | null;
  at: Generated<Timestamp>;
  action: string;
  changes: ColumnType<unknown, string, string>;
};
export type CreditApplicationsTable = {
  id: Generated<string>;
  number: string;
  client_id: string;
  product_id: string;
  amount: Numeric;
  currency: string;
  term_months: number;
  stage: string;
  stage_entered_at: Timestamp;
  sla_due_at: Timestamp | null;
  decision: string | null;
  created_at: Generated<Timestamp>;
  /** Credit migration (2026-12-06): status, route, PDN inputs, decision details, cooling-off. */
  status: Generated<CreditApplicationStatus>;
  version: Generated<number>;
  route_id: string | null;
  route_version: number | null;
  created_by: string | null;
  branch_id: string | null;
  purpose: string | null;
  collateral_description: string | null;
  rate_percent: Numeric | null;
  monthly_income: Numeric | null;
  existing_monthly_payments: Numeric | null;
  new_monthly_payment: Numeric | null;
  pdn_percent: Numeric | null;
  decided_at: Timestamp | null;
  decided_by: string | null;
  decision_reason: string | null;
  approved_amount: Numeric | null;
  approved_term_months: number | null;
  approved_rate_percent: Numeric | null;
  cooling_off_hours: number | null;
  cooling_off_ends_at: Timestamp | null;
  closed_at: Timestamp | null;
  updated_at: Generated<Timestamp>;
};
export type LoansTable = {
  id: Generated<string>;
  contract_number: string;
  client_id: string;
  product_id: string;
  currency: string;
  principal: Numeric;
  balance: Numeric;
  overdue_amount: Generated<Numeric>;
  days_past_due: Generated<number>;
  next_payment_date: DateCol | null;
  next_payment_amount: Numeric | null;
  closed_at: Timestamp | null;
};
export type AuditEventsTable = {
  id: Generated<string>;
  at: Generated<Timestamp>;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  result: 'ok' | 'denied' | 'failed';
  client_ids: Generated<string[]>;
  entity: string | null;
  entity_id: string | null;
  details: ColumnType<unknown, string | undefined, never>;
  ip: string | null;
  user_agent: string | null;
  channel: string | null;
  request_id: string | null;
};

export type Party = { name: string; address: string };
export type InteractionsTable = {
  id: Generated<string>;
  internet_message_id: string;
  conversation_id: string | null;
  in_reply_to: string | null;
  message_references: Generated<string[]>;
  kind: 'message' | 'meeting';
  direction: 'in' | 'out';
  subject: string;
  sent_at: Timestamp;
  from_party: ColumnType<Party | null, string | null, string | null>;
  to_parties: ColumnType<Party[], string, string>;
  cc_parties: ColumnType<Party[], string, string>;
  body_text: string;
  body_html: string | null;
  quoted_history_stripped: Generated<boolean>;
  signature_note: 'smime-signed' | 'smime-opaque-signed' | 'smime-encrypted' | null;
  meeting_uid: string | null;
  meeting_start: Timestamp | null;
  meeting_end: Timestamp | null;
  meeting_location: string | null;
  meeting_time_zone: string | null;
  source: 'mime' | 'item';
  created_by: string;
  created_at: Generated<Timestamp>;
  /** Hex SHA-256 of the normalised content (interactions/fingerprint.ts); null for rows logged before 2026-12-07. */
  content_fingerprint: string | null;
};
export type InteractionLinksTable = {
  interaction_id: string;
  client_id: string;
  deal_id: string | null;
  task_id: string | null;
  linked_by: string;
  linked_at: Generated<Timestamp>;
};
export type BlobsTable = {
  sha256: string;
  size: number;
  content: ColumnType<Buffer, Buffer, never>;
  created_at: Generated<Timestamp>;
};
export type InteractionAttachmentsTable = {
  interaction_id: string;
  ordinal: number;
  sha256: string;
  filename: string;
  content_type: string;
  size: number;
  content_id: string | null;
  inline: Generated<boolean>;
};

/** Private iCalendar feed tokens (migration 2026-12-08): sha256 only, revocable. */
export type CalendarFeedsTable = {
  id: Generated<string>;
  user_id: string;
  token_hash: Buffer;
  created_at: Generated<Timestamp>;
  revoked_at: Timestamp | null;
};

export type Database = {
  calendar_feeds: CalendarFeedsTable;
  branches: BranchesTable;
  users: UsersTable;
  role_grants: RoleGrantsTable;
  idempotency_keys: IdempotencyKeysTable;
  user_addresses: UserAddressesTable;
  clients: ClientsTable;
  client_branches: ClientBranchesTable;
  individual_profiles: IndividualProfilesTable;
  legal_entity_profiles: LegalEntityProfilesTable;
  contact_points: ContactPointsTable;
  client_relations: ClientRelationsTable;
  products: ProductsTable;
  deals: DealsTable;
  tasks: TasksTable;
  task_history: TaskHistoryTable;
  credit_applications: CreditApplicationsTable;
  loans: LoansTable;
  audit_events: AuditEventsTable;
  interactions: InteractionsTable;
  interaction_links: InteractionLinksTable;
  blobs: BlobsTable;
  interaction_attachments: InteractionAttachmentsTable;
  mailbox_sync_state: MailboxSyncStateTable;
  calendar_links: CalendarLinksTable;
  graph_subscriptions: GraphSubscriptionsTable;
  graph_notifications: GraphNotificationsTable;
  calendar_delta_state: CalendarDeltaStateTable;
  regions: RegionsTable;
  teams: TeamsTable;
  approval_routes: ApprovalRoutesTable;
  route_stages: RouteStagesTable;
  credit_application_parties: CreditApplicationPartiesTable;
  application_stages: ApplicationStagesTable;
  branch_calendars: BranchCalendarsTable;
  holidays: HolidaysTable;
  credit_notices: CreditNoticesTable;
  notification_templates: NotificationTemplatesTable;
  client_notifications: ClientNotificationsTable;
  m365_connection: M365ConnectionTable;
  entra_role_mappings: EntraRoleMappingsTable;
  task_types: TaskTypesTable;
  task_priorities: TaskPrioritiesTable;
};

// Calendar sync (migration 2026-12-03T1000-calendar-sync).
export type CalendarLinkState =
  | 'pending'
  | 'synced'
  | 'failed'
  | 'not_syncable'
  | 'removed_in_outlook'
  | 'deleted';
export type MailboxSyncStateTable = {
  user_id: string;
  state: Generated<'ok' | 'not_syncable'>;
  reason: string | null;
  time_zone: string | null;
  /** When Graph was last asked for the mailbox's zone (answered or refused). */
  time_zone_read_at: Timestamp | null;
  max_concurrency: number | null;
  updated_at: Generated<Timestamp>;
};
export type CalendarLinksTable = {
  id: Generated<string>;
  task_id: string;
  user_id: string;
  generation: number;
  transaction_id: string;
  event_id: string | null;
  change_key: string | null;
  op: Generated<'upsert' | 'delete'>;
  needs_sync: Generated<boolean>;
  state: Generated<CalendarLinkState>;
  synced_version: number | null;
  schedule_key: string | null;
  create_attempted_at: Timestamp | null;
  last_error: string | null;
  attempts: Generated<number>;
  synced_at: Timestamp | null;
  event_modified_at: Timestamp | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
};
export type GraphSubscriptionsTable = {
  id: string;
  user_id: string;
  resource: string;
  client_state: string;
  expires_at: Timestamp;
  state: Generated<'active' | 'reauthorize' | 'removed'>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
};
export type GraphNotificationsTable = {
  id: Generated<string>;
  received_at: Generated<Timestamp>;
  subscription_id: string | null;
  change_type: string | null;
  lifecycle_event: string | null;
  resource: string | null;
  payload: ColumnType<unknown, string, string>;
  processed_at: Timestamp | null;
};
export type CalendarDeltaStateTable = {
  user_id: string;
  delta_link: string | null;
  window_start: Timestamp;
  window_end: Timestamp;
  updated_at: Generated<Timestamp>;
};

// Admin: organisation (migration 2026-12-04T1000-admin).
export type RegionsTable = {
  id: Generated<string>;
  name: string;
  version: Generated<number>;
  created_at: Generated<Timestamp>;
};
export type TeamsTable = {
  id: Generated<string>;
  branch_id: string;
  name: string;
  supervisor_id: string | null;
  version: Generated<number>;
  created_at: Generated<Timestamp>;
};

// Credit applications (migration 2026-12-06T1000-credit).
export type CreditApplicationStatus = 'in_progress' | 'declined' | 'refused' | 'disbursed' | 'cancelled';
export type LoanKind = 'consumer' | 'mortgage' | 'education' | 'car_secured' | 'corporate';
export type StageOwnerRole = 'client_manager' | 'credit_officer' | 'supervisor';
export type StageOutcome =
  | 'forwarded'
  | 'returned'
  | 'approved'
  | 'approved_changed_terms'
  | 'declined'
  | 'client_refused'
  | 'completed';
export type ApprovalRoutesTable = {
  id: Generated<string>;
  name: string;
  version: Generated<number>;
  active: Generated<boolean>;
  loan_kind: LoanKind;
  product_codes: string[];
  amount_min: Numeric | null;
  amount_max: Numeric | null;
  currency: string;
  priority: Generated<number>;
  created_at: Generated<Timestamp>;
};
export type RouteStagesTable = {
  id: Generated<string>;
  route_id: string;
  ordinal: number;
  stage_code: string;
  owner_role: StageOwnerRole | null;
  owner_user_id: string | null;
  sla_working_hours: number;
  can_return_to: Generated<string[]>;
  can_decline: Generated<boolean>;
  decides: Generated<boolean>;
};
export type CreditApplicationPartiesTable = {
  application_id: string;
  client_id: string;
  role: 'guarantor' | 'co_borrower' | 'pledgor';
};
export type ApplicationStagesTable = {
  id: Generated<string>;
  application_id: string;
  route_stage_id: string | null;
  stage_code: string;
  owner_user_id: string | null;
  owner_role: string | null;
  task_id: string | null;
  sla_working_hours: number | null;
  entered_at: Timestamp;
  at_risk_at: Timestamp | null;
  due_at: Timestamp | null;
  completed_at: Timestamp | null;
  completed_by: string | null;
  outcome: StageOutcome | null;
  comment: string | null;
  sla_state: Generated<'on_track' | 'at_risk' | 'breached'>;
  at_risk_noticed_at: Timestamp | null;
  breached_at: Timestamp | null;
  escalated_to: string | null;
};
export type BranchCalendarsTable = {
  branch_id: string;
  work_days: Generated<number[]>;
  /** `HH:MM:SS` local time of the branch. */
  day_start: Generated<string>;
  day_end: Generated<string>;
  country: Generated<string>;
  version: Generated<number>;
};
export type HolidaysTable = {
  id: Generated<string>;
  country: string;
  region: string | null;
  date: DateCol;
  kind: Generated<'holiday' | 'short_day' | 'working_day'>;
  name: string;
};
export type CreditNoticesTable = {
  id: Generated<string>;
  user_id: string;
  application_id: string;
  stage_id: string | null;
  kind: 'nudge' | 'sla_at_risk' | 'sla_breached' | 'escalation' | 'assigned';
  message: string | null;
  author_id: string | null;
  created_at: Generated<Timestamp>;
  read_at: Timestamp | null;
};
export type NotificationTemplatesTable = {
  event: string;
  channel: 'email' | 'sms';
  lang: 'ru' | 'en';
  subject: string | null;
  body: string;
  enabled: Generated<boolean>;
  version: Generated<number>;
  updated_at: Generated<Timestamp>;
};
export type ClientNotificationsTable = {
  id: Generated<string>;
  idempotency_key: string;
  client_id: string;
  application_id: string | null;
  event: string;
  channel: 'email' | 'sms';
  lang: string;
  recipient: string;
  subject: string | null;
  body: string;
  status: Generated<'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  last_error: string | null;
  last_attempt_at: Timestamp | null;
  provider_message_id: string | null;
  sent_at: Timestamp | null;
  interaction_id: string | null;
  created_by: string | null;
  created_at: Generated<Timestamp>;
};

// Work settings (migration 2026-12-09T1000-work-settings): never deleted, deactivated.
export type TaskTypesTable = {
  /** `^[a-z][a-z0-9_]{1,39}$`; `tasks.type` references it. */
  code: string;
  name_ru: string;
  name_en: string;
  /** Minutes of a planned task without its own duration; null = the calendar sync's configured default. */
  default_duration_minutes: number | null;
  /** Outlook reminder minutes before the start; null = no reminder. */
  default_reminder_minutes: number | null;
  calendar_category: Generated<string>;
  active: Generated<boolean>;
  ordinal: Generated<number>;
  version: Generated<number>;
  /** Defaults to now() on insert (Timestamp's insert type allows undefined). */
  updated_at: Timestamp;
};
export type TaskPrioritiesTable = {
  code: 'low' | 'normal' | 'high' | 'urgent';
  name_ru: string;
  name_en: string;
  ordinal: Generated<number>;
  /** Graph event `importance` of the priority's tasks. */
  graph_importance: Generated<'low' | 'normal' | 'high'>;
  version: Generated<number>;
  /** Defaults to now() on insert (Timestamp's insert type allows undefined). */
  updated_at: Timestamp;
};

// Microsoft 365 connection (migration 2026-12-09T1100-m365-connection): secrets stay in the environment,
// the row names the variables that hold them.
export type M365ConnectionTable = {
  /** Always 1: a single row. */
  id: Generated<number>;
  tenant_id: string;
  client_id: string;
  credential_kind: 'secret' | 'certificate';
  /** Name of the env var holding the client secret (`^CRM_[A-Z0-9_]+$`), never the secret. */
  secret_env_name: string | null;
  /** Lower-case hex SHA-1 (40) or SHA-256 (64) thumbprint of the app's certificate. */
  certificate_thumbprint: string | null;
  /** Name of the env var holding the certificate's PEM private key. */
  certificate_key_env_name: string | null;
  graph_base_url: string;
  authority_host: string;
  service_mailbox: string | null;
  /** Parallel Graph requests per mailbox, 1..4 (Outlook's limit). */
  mailbox_concurrency: number;
  enabled: Generated<boolean>;
  version: Generated<number>;
  /** Defaults to now() on insert (Timestamp's insert type allows undefined). */
  updated_at: Timestamp;
  updated_by: string | null;
};
export type EntraRoleMappingsTable = {
  id: Generated<string>;
  /** `app_role`: a value of the token's `roles`; `group`: a group object id in `groups`. */
  kind: 'app_role' | 'group';
  value: string;
  role: 'relationship_manager' | 'supervisor' | 'credit_officer' | 'admin';
  version: Generated<number>;
  created_at: Generated<Timestamp>;
  created_by: string | null;
};

import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// Credit applications walk an approval route (banking.md, "Credit applications"): versioned routes chosen by
// product and amount, their ordered stages (owner, SLA in working hours, where a stage may send work back),
// every stage an application went through, the branch working calendar and public holidays the SLA counts
// in, nudges and SLA notices for stage owners, and the client notification outbox with editable templates.

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  // A route is never edited once an application walks it: a change is a new version (same name, version + 1),
  // and the old version is deactivated. Matching: product code in product_codes, amount within [min, max]
  // (null = open end) in `currency`. loan_kind decides the cooling-off rules (consumer only).
  await db.schema
    .createTable('approval_routes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1).check(sql`version > 0`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('loan_kind', 'text', (c) =>
      c.notNull().check(sql`loan_kind in ('consumer', 'mortgage', 'education', 'car_secured', 'corporate')`),
    )
    .addColumn('product_codes', sql`text[]`, (c) => c.notNull())
    .addColumn('amount_min', sql`numeric(20,2)`)
    .addColumn('amount_max', sql`numeric(20,2)`)
    .addColumn('currency', sql`char(3)`, (c) => c.notNull())
    // Higher wins when two active routes match (e.g. a large-amount route over the default one).
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('approval_routes_name_version_uq', ['name', 'version'])
    .addCheckConstraint(
      'approval_routes_amount_range',
      sql`amount_min is null or amount_max is null or amount_min <= amount_max`,
    )
    .execute();

  // Owner: a named user, or a role queue: 'client_manager' (the application's RM), 'credit_officer' (an officer
  // of the client's branch, least loaded), 'supervisor' (the RM's supervisor).
  await db.schema
    .createTable('route_stages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('route_id', 'uuid', (c) => c.notNull().references('approval_routes.id').onDelete('cascade'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('stage_code', 'text', (c) => c.notNull())
    .addColumn('owner_role', 'text', (c) =>
      c.check(sql`owner_role in ('client_manager', 'credit_officer', 'supervisor')`),
    )
    .addColumn('owner_user_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('sla_working_hours', 'integer', (c) => c.notNull().check(sql`sla_working_hours > 0`))
    .addColumn('can_return_to', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('can_decline', 'boolean', (c) => c.notNull().defaultTo(false))
    // The stage where approve / approve on changed terms is decided.
    .addColumn('decides', 'boolean', (c) => c.notNull().defaultTo(false))
    .addUniqueConstraint('route_stages_route_ordinal_uq', ['route_id', 'ordinal'])
    .addUniqueConstraint('route_stages_route_code_uq', ['route_id', 'stage_code'])
    .addCheckConstraint('route_stages_one_owner', sql`(owner_role is null) <> (owner_user_id is null)`)
    .execute();

  await db.schema
    .alterTable('credit_applications')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('in_progress')
        .check(sql`status in ('in_progress', 'declined', 'refused', 'disbursed', 'cancelled')`),
    )
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('route_id', 'uuid', (c) => c.references('approval_routes.id'))
    .addColumn('route_version', 'integer')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id'))
    .addColumn('branch_id', 'uuid', (c) => c.references('branches.id'))
    .addColumn('purpose', 'text')
    .addColumn('collateral_description', 'text')
    // PDN inputs and result (banking.md): monthly income, payments on existing loans, the new loan's payment.
    .addColumn('rate_percent', sql`numeric(6,3)`)
    .addColumn('monthly_income', sql`numeric(20,2)`)
    .addColumn('existing_monthly_payments', sql`numeric(20,2)`)
    .addColumn('new_monthly_payment', sql`numeric(20,2)`)
    .addColumn('pdn_percent', sql`numeric(9,2)`)
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'uuid', (c) => c.references('users.id'))
    .addColumn('decision_reason', 'text')
    .addColumn('approved_amount', sql`numeric(20,2)`)
    .addColumn('approved_term_months', 'integer', (c) => c.check(sql`approved_term_months > 0`))
    .addColumn('approved_rate_percent', sql`numeric(6,3)`)
    .addColumn('cooling_off_hours', 'integer')
    .addColumn('cooling_off_ends_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Numbers of applications made in the CRM (КЗ-<year>-<n>); the demo seed numbers its own from 1.
  await sql`create sequence credit_application_number_seq start 5000000`.execute(db);

  // Guarantors, co-borrowers and pledgors: links to other clients.
  await db.schema
    .createTable('credit_application_parties')
    .addColumn('application_id', 'uuid', (c) =>
      c.notNull().references('credit_applications.id').onDelete('cascade'),
    )
    .addColumn('client_id', 'uuid', (c) => c.notNull().references('clients.id'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('guarantor', 'co_borrower', 'pledgor')`))
    .addPrimaryKeyConstraint('credit_application_parties_pk', ['application_id', 'client_id', 'role'])
    .execute();

  // Every stage an application entered: one open row (completed_at null) at a time. at_risk_at and due_at are
  // computed on entry in the branch calendar, so the SLA scan is an index range read.
  await db.schema
    .createTable('application_stages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('application_id', 'uuid', (c) =>
      c.notNull().references('credit_applications.id').onDelete('cascade'),
    )
    .addColumn('route_stage_id', 'uuid', (c) => c.references('route_stages.id'))
    .addColumn('stage_code', 'text', (c) => c.notNull())
    .addColumn('owner_user_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('owner_role', 'text')
    .addColumn('task_id', 'uuid', (c) => c.references('tasks.id'))
    .addColumn('sla_working_hours', 'integer')
    .addColumn('entered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('at_risk_at', 'timestamptz')
    .addColumn('due_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('completed_by', 'uuid', (c) => c.references('users.id'))
    .addColumn('outcome', 'text', (c) =>
      c.check(
        sql`outcome in ('forwarded', 'returned', 'approved', 'approved_changed_terms', 'declined', 'client_refused', 'completed')`,
      ),
    )
    .addColumn('comment', 'text')
    .addColumn('sla_state', 'text', (c) =>
      c.notNull().defaultTo('on_track').check(sql`sla_state in ('on_track', 'at_risk', 'breached')`),
    )
    .addColumn('at_risk_noticed_at', 'timestamptz')
    .addColumn('breached_at', 'timestamptz')
    .addColumn('escalated_to', 'uuid', (c) => c.references('users.id'))
    .execute();
  await sql`create unique index application_stages_one_open on application_stages (application_id) where completed_at is null`.execute(
    db,
  );
  await sql`create index application_stages_history on application_stages (application_id, entered_at)`.execute(
    db,
  );
  await sql`create index application_stages_at_risk on application_stages (at_risk_at) where completed_at is null and sla_state = 'on_track'`.execute(
    db,
  );
  await sql`create index application_stages_due on application_stages (due_at) where completed_at is null and sla_state <> 'breached'`.execute(
    db,
  );
  await sql`create index application_stages_owner on application_stages (owner_user_id) where completed_at is null`.execute(
    db,
  );
  await sql`create index application_stages_report on application_stages (entered_at)`.execute(db);

  // Working calendar of a branch; the time zone is the branch's (branches.time_zone). A branch without a row
  // works Monday-Friday 09:00-18:00 under the RU calendar.
  await db.schema
    .createTable('branch_calendars')
    .addColumn('branch_id', 'uuid', (c) => c.primaryKey().references('branches.id').onDelete('cascade'))
    .addColumn('work_days', sql`smallint[]`, (c) => c.notNull().defaultTo(sql`'{1,2,3,4,5}'`))
    .addColumn('day_start', 'time', (c) => c.notNull().defaultTo('09:00'))
    .addColumn('day_end', 'time', (c) => c.notNull().defaultTo('18:00'))
    .addColumn('country', sql`char(2)`, (c) => c.notNull().defaultTo('RU'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addCheckConstraint('branch_calendars_hours', sql`day_start < day_end`)
    .execute();

  // The production calendar: holidays, shortened pre-holiday days (one hour less, Labour Code art. 95) and
  // weekend days made working by a transfer. region null = the whole country, else the region's name
  // (branches.region).
  await db.schema
    .createTable('holidays')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('country', sql`char(2)`, (c) => c.notNull())
    .addColumn('region', 'text')
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().defaultTo('holiday').check(sql`kind in ('holiday', 'short_day', 'working_day')`),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();
  await sql`create unique index holidays_day_uq on holidays (country, coalesce(region, ''), date)`.execute(
    db,
  );

  // Nudges from RMs to a stage owner, and SLA notices (at risk, breached, escalation to the supervisor).
  await db.schema
    .createTable('credit_notices')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('application_id', 'uuid', (c) =>
      c.notNull().references('credit_applications.id').onDelete('cascade'),
    )
    .addColumn('stage_id', 'uuid', (c) => c.references('application_stages.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('nudge', 'sla_at_risk', 'sla_breached', 'escalation', 'assigned')`),
    )
    .addColumn('message', 'text')
    .addColumn('author_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .execute();
  await sql`create index credit_notices_user on credit_notices (user_id, id desc)`.execute(db);
  await sql`create index credit_notices_application on credit_notices (application_id, id)`.execute(db);

  // Message templates per event, channel and language ({{placeholders}}); admins edit them (version).
  await db.schema
    .createTable('notification_templates')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('lang', 'text', (c) => c.notNull().check(sql`lang in ('ru', 'en')`))
    .addColumn('subject', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    // Which status changes reach the client: a disabled (or missing) template sends nothing on that channel.
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('notification_templates_pk', ['event', 'channel', 'lang'])
    .execute();

  // Outbox of client messages: written in the transaction of the status change, sent by a job. The
  // idempotency key is unique (one message per application event and channel) and goes to the provider.
  await db.schema
    .createTable('client_notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('client_id', 'uuid', (c) => c.notNull().references('clients.id'))
    .addColumn('application_id', 'uuid', (c) => c.references('credit_applications.id'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'sent', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('provider_message_id', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('interaction_id', 'uuid', (c) => c.references('interactions.id'))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index client_notifications_pending on client_notifications (created_at) where status <> 'sent'`.execute(
    db,
  );
  await sql`create index client_notifications_application on client_notifications (application_id)`.execute(
    db,
  );

  const templates: [string, string, string, string | null, string][] = [
    [
      'submitted',
      'email',
      'ru',
      'Заявка {{number}} принята',
      'Здравствуйте, {{clientName}}! Ваша заявка {{number}} на {{product}} ({{amount}}) принята и передана на рассмотрение.',
    ],
    [
      'submitted',
      'email',
      'en',
      'Application {{number}} received',
      'Dear {{clientName}}, your application {{number}} for {{product}} ({{amount}}) has been received and is under review.',
    ],
    ['submitted', 'sms', 'ru', null, 'Заявка {{number}} принята и передана на рассмотрение.'],
    ['submitted', 'sms', 'en', null, 'Application {{number}} received and under review.'],
    [
      'documents_requested',
      'email',
      'ru',
      'Заявка {{number}}: нужны документы',
      'Здравствуйте, {{clientName}}! По заявке {{number}} нужны дополнительные документы: {{comment}}. Ваш менеджер свяжется с вами.',
    ],
    [
      'documents_requested',
      'email',
      'en',
      'Application {{number}}: documents needed',
      'Dear {{clientName}}, application {{number}} needs more documents: {{comment}}. Your manager will contact you.',
    ],
    [
      'documents_requested',
      'sms',
      'ru',
      null,
      'По заявке {{number}} нужны дополнительные документы. Менеджер свяжется с вами.',
    ],
    [
      'documents_requested',
      'sms',
      'en',
      null,
      'Application {{number}} needs more documents. Your manager will contact you.',
    ],
    [
      'approved',
      'email',
      'ru',
      'Заявка {{number}} одобрена',
      'Здравствуйте, {{clientName}}! Заявка {{number}} одобрена: {{amount}} на {{term}} мес. Менеджер пригласит вас на подписание.',
    ],
    [
      'approved',
      'email',
      'en',
      'Application {{number}} approved',
      'Dear {{clientName}}, application {{number}} is approved: {{amount}} for {{term}} months. Your manager will invite you to sign.',
    ],
    ['approved', 'sms', 'ru', null, 'Заявка {{number}} одобрена: {{amount}} на {{term}} мес.'],
    ['approved', 'sms', 'en', null, 'Application {{number}} approved: {{amount}} for {{term}} months.'],
    [
      'approved_changed_terms',
      'email',
      'ru',
      'Заявка {{number}} одобрена на изменённых условиях',
      'Здравствуйте, {{clientName}}! Заявка {{number}} одобрена на изменённых условиях: {{amount}} на {{term}} мес. Менеджер расскажет подробности.',
    ],
    [
      'approved_changed_terms',
      'email',
      'en',
      'Application {{number}} approved on changed terms',
      'Dear {{clientName}}, application {{number}} is approved on changed terms: {{amount}} for {{term}} months. Your manager will explain.',
    ],
    [
      'approved_changed_terms',
      'sms',
      'ru',
      null,
      'Заявка {{number}} одобрена на изменённых условиях: {{amount}} на {{term}} мес.',
    ],
    [
      'approved_changed_terms',
      'sms',
      'en',
      null,
      'Application {{number}} approved on changed terms: {{amount}} for {{term}} months.',
    ],
    [
      'declined',
      'email',
      'ru',
      'Решение по заявке {{number}}',
      'Здравствуйте, {{clientName}}! К сожалению, по заявке {{number}} принято отрицательное решение.',
    ],
    [
      'declined',
      'email',
      'en',
      'Decision on application {{number}}',
      'Dear {{clientName}}, unfortunately application {{number}} has been declined.',
    ],
    ['declined', 'sms', 'ru', null, 'По заявке {{number}} принято отрицательное решение.'],
    ['declined', 'sms', 'en', null, 'Application {{number}} has been declined.'],
    [
      'disbursed',
      'email',
      'ru',
      'Кредит по заявке {{number}} выдан',
      'Здравствуйте, {{clientName}}! Средства по заявке {{number}} ({{amount}}) зачислены.',
    ],
    [
      'disbursed',
      'email',
      'en',
      'Loan {{number}} disbursed',
      'Dear {{clientName}}, the funds of application {{number}} ({{amount}}) have been paid out.',
    ],
    ['disbursed', 'sms', 'ru', null, 'Средства по заявке {{number}} ({{amount}}) зачислены.'],
    ['disbursed', 'sms', 'en', null, 'Funds of application {{number}} ({{amount}}) paid out.'],
  ];
  await db
    .insertInto('notification_templates')
    .values(
      templates.map(([event, channel, lang, subject, body]) => ({ event, channel, lang, subject, body })),
    )
    .execute();

  // Russian production calendar (Labour Code art. 112: holidays; a holiday on a weekend moves the day off to
  // the next working day, except 1-8 January, whose weekend days the Government transfers by decree; art. 95:
  // the working day before a holiday is one hour shorter). 2026: with the Government's 2026 transfer decree
  // (3 Jan -> 9 Jan, 4 Jan -> 31 Dec; 8 Mar (Sun) -> 9 Mar, 9 May (Sat) -> 11 May). 2027: art. 112 only (1-8 Jan
  // and the fixed dates, weekend ones moved); the 2027 decree's transfers and short days are not in this list:
  // check both years against a published production calendar (e.g. consultant.ru) and add what is missing.
  const holidays: [string, string, string][] = [
    ...['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11'].map(
      (d) => [`2026-01-${d}`, 'holiday', 'Новогодние каникулы'] as [string, string, string],
    ),
    ['2026-02-23', 'holiday', 'День защитника Отечества'],
    ['2026-03-09', 'holiday', 'Международный женский день (перенос с 8 марта)'],
    ['2026-04-30', 'short_day', 'Предпраздничный день'],
    ['2026-05-01', 'holiday', 'Праздник Весны и Труда'],
    ['2026-05-08', 'short_day', 'Предпраздничный день'],
    ['2026-05-11', 'holiday', 'День Победы (перенос с 9 мая)'],
    ['2026-06-11', 'short_day', 'Предпраздничный день'],
    ['2026-06-12', 'holiday', 'День России'],
    ['2026-11-03', 'short_day', 'Предпраздничный день'],
    ['2026-11-04', 'holiday', 'День народного единства'],
    ['2026-12-31', 'holiday', 'Перенос выходного дня с 4 января'],
    ...['01', '02', '03', '04', '05', '06', '07', '08'].map(
      (d) => [`2027-01-${d}`, 'holiday', 'Новогодние каникулы, Рождество'] as [string, string, string],
    ),
    ['2027-02-23', 'holiday', 'День защитника Отечества'],
    ['2027-03-08', 'holiday', 'Международный женский день'],
    ['2027-05-01', 'holiday', 'Праздник Весны и Труда'],
    ['2027-05-10', 'holiday', 'День Победы (перенос с 9 мая)'],
    ['2027-06-14', 'holiday', 'День России (перенос с 12 июня)'],
    ['2027-11-04', 'holiday', 'День народного единства'],
  ];
  await db
    .insertInto('holidays')
    .values(holidays.map(([date, kind, name]) => ({ country: 'RU', region: null, date, kind, name })))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'client_notifications',
    'notification_templates',
    'credit_notices',
    'holidays',
    'branch_calendars',
    'application_stages',
    'credit_application_parties',
  ])
    await db.schema.dropTable(t).ifExists().execute();
  await db.schema
    .alterTable('credit_applications')
    .dropColumn('status')
    .dropColumn('version')
    .dropColumn('route_id')
    .dropColumn('route_version')
    .dropColumn('created_by')
    .dropColumn('branch_id')
    .dropColumn('purpose')
    .dropColumn('collateral_description')
    .dropColumn('rate_percent')
    .dropColumn('monthly_income')
    .dropColumn('existing_monthly_payments')
    .dropColumn('new_monthly_payment')
    .dropColumn('pdn_percent')
    .dropColumn('decided_at')
    .dropColumn('decided_by')
    .dropColumn('decision_reason')
    .dropColumn('approved_amount')
    .dropColumn('approved_term_months')
    .dropColumn('approved_rate_percent')
    .dropColumn('cooling_off_hours')
    .dropColumn('cooling_off_ends_at')
    .dropColumn('closed_at')
    .dropColumn('updated_at')
    .execute();
  await sql`drop sequence if exists credit_application_number_seq`.execute(db);
  await db.schema.dropTable('route_stages').ifExists().execute();
  await db.schema.dropTable('approval_routes').ifExists().execute();
}

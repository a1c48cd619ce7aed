import { type ClientCardDto, type ClientSummaryDto, PERSONAL_DATA_FIELDS } from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { maskedFieldsFor, type Principal, visibleClient } from '../auth/principal.ts';

// How many rows of each list a card carries; the pane shows a few and offers "show all". One more row is
// read to tell the pane, in `truncated`, that a list goes on beyond what the card carries.
const CARD_LIST_LIMIT = 50;
const READ_LIMIT = CARD_LIST_LIMIT + 1;

/**
 * Loads full client cards (profile, contacts, branches, related visible clients, open deals, open tasks,
 * credit applications and open loans) for the given ids in ONE statement: every list is a correlated
 * `json_agg` subquery, so the cost does not grow with the number of round trips. Only clients the
 * principal may see are returned; the caller decides what to say about the rest.
 * Money leaves SQL as text (`amount::text`), never as a JSON number, so no float ever holds it.
 * Personal-data fields are masked in SQL for a principal without `view_personal_data` (`null` + `masked`).
 */
export async function findClientCards(db: Db, p: Principal, ids: string[]): Promise<ClientCardDto[]> {
  if (ids.length === 0) return [];
  const masked = maskedFieldsFor(p, PERSONAL_DATA_FIELDS);
  const showBirthDate = !masked.includes('individual.birthDate');
  const rows = await db
    .selectFrom('clients as c')
    .leftJoin('users as m', 'm.id', 'c.manager_id')
    .leftJoin('individual_profiles as ip', 'ip.client_id', 'c.id')
    .leftJoin('legal_entity_profiles as lp', 'lp.client_id', 'c.id')
    .where('c.id', '=', sql<string>`any(${ids}::uuid[])`)
    .where(visibleClient(p))
    .select([
      'c.id',
      'c.kind',
      'c.display_name as displayName',
      'c.status',
      'c.segments',
      'c.preferred_language',
      sql<
        ClientCardDto['manager']
      >`case when m.id is null then null else json_build_object('id', m.id, 'name', m.name) end`.as(
        'manager',
      ),
      sql<ClientCardDto['individual']>`case when ip.client_id is null then null else json_build_object(
        'lastName', ip.last_name, 'firstName', ip.first_name, 'middleName', ip.middle_name,
        'birthDate', case when ${showBirthDate}::boolean then ip.birth_date end, 'inn', ip.inn, 'citizenship', ip.citizenship) end`.as(
        'individual',
      ),
      sql<ClientCardDto['legalEntity']>`case when lp.client_id is null then null else json_build_object(
        'fullName', lp.full_name, 'shortName', lp.short_name, 'inn', lp.inn, 'kpp', lp.kpp, 'ogrn', lp.ogrn,
        'okved', lp.okved, 'creditRating', lp.credit_rating) end`.as('legalEntity'),
      sql<
        ClientCardDto['branches']
      >`coalesce((select json_agg(json_build_object('code', b.code, 'name', b.name) order by b.code)
        from client_branches cb join branches b on b.id = cb.branch_id where cb.client_id = c.id), '[]')`.as(
        'branches',
      ),
      sql<
        ClientCardDto['contacts']
      >`coalesce((select json_agg(json_build_object('kind', cp.kind, 'value', cp.value)
        order by cp.kind, cp.is_primary desc, cp.value) from contact_points cp where cp.client_id = c.id), '[]')`.as(
        'contacts',
      ),
      sql<
        ClientCardDto['related']
      >`coalesce((select json_agg(json_build_object('clientId', o.id, 'displayName', o.display_name,
        'kind', o.kind, 'role', r.role, 'direction', r.direction) order by o.display_name)
        from (select to_client_id as other_id, role, 'outgoing' as direction from client_relations where from_client_id = c.id
              union all
              select from_client_id, role, 'incoming' from client_relations where to_client_id = c.id) r
        join clients o on o.id = r.other_id
        where ${visibleClient(p, 'o')}), '[]')`.as('related'),
      sql<ClientCardDto['deals']>`coalesce((select json_agg(d.j order by d.sort_key) from (
          select json_build_object('id', d.id, 'title', d.title, 'stage', d.stage,
            'product', json_build_object('code', pr.code, 'name', pr.name, 'kind', pr.kind),
            'amount', json_build_object('amount', d.amount::text, 'currency', d.currency),
            'expectedCloseDate', d.expected_close_date,
            'manager', case when dm.id is null then null else json_build_object('id', dm.id, 'name', dm.name) end) as j,
            d.expected_close_date as sort_key
          from deals d join products pr on pr.id = d.product_id left join users dm on dm.id = d.manager_id
          where d.client_id = c.id and d.stage not in ('won', 'lost')
          order by d.expected_close_date nulls last limit ${READ_LIMIT}) d), '[]')`.as('deals'),
      sql<ClientCardDto['tasks']>`coalesce((select json_agg(t.j order by t.due_at nulls last) from (
          select ${taskJson('t')} as j, t.due_at
          from tasks t join users ta on ta.id = t.assignee_id join users tu on tu.id = t.author_id
          where t.client_id = c.id and t.status in ('open', 'in_progress')
          order by t.due_at nulls last limit ${READ_LIMIT}) t), '[]')`.as('tasks'),
      sql<
        ClientCardDto['credit']['applications']
      >`coalesce((select json_agg(a.j order by a.created_at desc) from (
          select json_build_object('id', a.id, 'number', a.number, 'termMonths', a.term_months, 'stage', a.stage,
            'product', json_build_object('code', pr.code, 'name', pr.name, 'kind', pr.kind),
            'amount', json_build_object('amount', a.amount::text, 'currency', a.currency),
            'stageEnteredAt', a.stage_entered_at, 'slaDueAt', a.sla_due_at, 'decision', a.decision,
            'status', a.status,
            'owner', (select json_build_object('id', su.id, 'name', su.name) from application_stages s
              join users su on su.id = s.owner_user_id where s.application_id = a.id and s.completed_at is null),
            'slaState', (select s.sla_state from application_stages s where s.application_id = a.id and s.completed_at is null),
            'lastDecision', case when a.decision is not null and a.decided_at is not null then json_build_object(
              'decision', a.decision, 'at', a.decided_at, 'reason', a.decision_reason) end) as j, a.created_at
          from credit_applications a join products pr on pr.id = a.product_id
          where a.client_id = c.id order by a.created_at desc limit ${READ_LIMIT}) a), '[]')`.as(
        'applications',
      ),
      sql<ClientCardDto['credit']['loans']>`coalesce((select json_agg(l.j order by l.dpd desc) from (
          select json_build_object('id', l.id, 'contractNumber', l.contract_number,
            'product', json_build_object('code', pr.code, 'name', pr.name, 'kind', pr.kind),
            'principal', json_build_object('amount', l.principal::text, 'currency', l.currency),
            'balance', json_build_object('amount', l.balance::text, 'currency', l.currency),
            'overdueAmount', json_build_object('amount', l.overdue_amount::text, 'currency', l.currency),
            'daysPastDue', l.days_past_due, 'nextPaymentDate', l.next_payment_date,
            'nextPaymentAmount', case when l.next_payment_amount is null then null
              else json_build_object('amount', l.next_payment_amount::text, 'currency', l.currency) end) as j,
            l.days_past_due as dpd
          from loans l join products pr on pr.id = l.product_id
          where l.client_id = c.id and l.closed_at is null order by l.days_past_due desc limit ${READ_LIMIT}) l), '[]')`.as(
        'loans',
      ),
    ])
    .execute();
  const byId = new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        kind: r.kind,
        displayName: r.displayName,
        status: r.status,
        preferredLanguage: r.preferred_language,
        segments: r.segments as ClientCardDto['segments'],
        manager: r.manager,
        branches: r.branches,
        individual: r.individual,
        legalEntity: r.legalEntity,
        contacts: r.contacts,
        related: r.related,
        deals: r.deals.slice(0, CARD_LIST_LIMIT),
        tasks: r.tasks.slice(0, CARD_LIST_LIMIT),
        credit: {
          applications: r.applications.slice(0, CARD_LIST_LIMIT),
          loans: r.loans.slice(0, CARD_LIST_LIMIT),
        },
        truncated: (
          [
            ['deals', r.deals],
            ['tasks', r.tasks],
            ['applications', r.applications],
            ['loans', r.loans],
          ] as const
        )
          .filter(([, list]) => list.length > CARD_LIST_LIMIT)
          .map(([name]) => name),
        masked: r.individual ? masked : [],
      } satisfies ClientCardDto,
    ]),
  );
  // Keep the caller's order: it is the order participants appeared in.
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The JSON shape of a task (shared `Task` schema) built in SQL; `t`, `ta` (assignee) and `tu` (author) in scope. */
export function taskJson(alias: string) {
  const t = sql.ref(alias);
  return sql`json_build_object('id', ${t}.id, 'title', ${t}.title, 'type', ${t}.type, 'priority', ${t}.priority,
    'status', ${t}.status, 'dueAt', ${t}.due_at, 'effortEstimateMinutes', ${t}.effort_estimate_minutes,
    'assignee', json_build_object('id', ta.id, 'name', ta.name), 'author', json_build_object('id', tu.id, 'name', tu.name),
    'clientId', ${t}.client_id, 'dealId', ${t}.deal_id, 'internetMessageId', ${t}.internet_message_id,
    'version', ${t}.version, 'updatedAt', ${t}.updated_at,
    'plannedStartAt', ${t}.planned_start_at, 'plannedDurationMinutes', ${t}.planned_duration_minutes, 'allDay', ${t}.all_day,
    'calendarSync', (select json_build_object('state', cl.state, 'syncedAt', cl.synced_at, 'reason', cl.last_error)
      from calendar_links cl where cl.task_id = ${t}.id and cl.user_id = ${t}.assignee_id and cl.state <> 'deleted'
      order by cl.generation desc limit 1),
    'creditStage', (select json_build_object('applicationId', ca.id, 'number', ca.number, 'stage', st.stage_code)
      from application_stages st join credit_applications ca on ca.id = st.application_id
      where st.task_id = ${t}.id and st.completed_at is null limit 1))`;
}

export type ContactMatch = { key: string; clientId: string; visible: boolean };

/**
 * Finds clients by normalised email keys, telling for each whether the principal may see it.
 * Uses the (value_normalized, client_id) index; one address may map to several clients.
 */
export async function findClientsByEmailKeys(db: Db, p: Principal, keys: string[]): Promise<ContactMatch[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('contact_points as cp')
    .innerJoin('clients as c', 'c.id', 'cp.client_id')
    .where('cp.kind', '=', 'email')
    .where('cp.value_normalized', 'in', keys)
    .select(['cp.value_normalized as key', 'c.id as clientId', visibleClient(p).as('visible')])
    .orderBy('c.display_name')
    .execute();
  return rows.map((r) => ({ key: r.key, clientId: r.clientId, visible: Boolean(r.visible) }));
}

/**
 * Searches visible clients by INN (exact, 10/12 digits), email (exact, normalised), phone (E.164 exact)
 * or name (trigram similarity on the folded name). At most `limit` rows, best first.
 */
export async function searchClients(
  db: Db,
  p: Principal,
  q: { inn?: string; email?: string; phone?: string; name?: string },
  limit: number,
): Promise<ClientSummaryDto[]> {
  let query = db
    .selectFrom('clients as c')
    .leftJoin('users as m', 'm.id', 'c.manager_id')
    .leftJoin('individual_profiles as ip', 'ip.client_id', 'c.id')
    .leftJoin('legal_entity_profiles as lp', 'lp.client_id', 'c.id')
    .where(visibleClient(p))
    .select([
      'c.id',
      'c.kind',
      'c.display_name as displayName',
      'c.status',
      sql<string | null>`coalesce(ip.inn, lp.inn)`.as('inn'),
      sql<
        ClientSummaryDto['manager']
      >`case when m.id is null then null else json_build_object('id', m.id, 'name', m.name) end`.as(
        'manager',
      ),
    ])
    .limit(limit);
  if (q.inn) {
    const inn = q.inn;
    query = query
      .where((eb) => eb.or([eb('ip.inn', '=', inn), eb('lp.inn', '=', inn)]))
      .orderBy('c.display_name');
  } else if (q.email || q.phone) {
    const [kind, value] = q.email ? (['email', q.email] as const) : (['phone', q.phone as string] as const);
    query = query
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('contact_points as cp')
            .whereRef('cp.client_id', '=', 'c.id')
            .where('cp.kind', '=', kind)
            .where('cp.value_normalized', '=', value)
            .select(sql`1`.as('one')),
        ),
      )
      .orderBy('c.display_name');
  } else {
    const name = q.name ?? '';
    // `%` uses the trigram index; word_similarity lets "Сорокин" find "Сорокин Илья Петрович".
    // A Latin query ("Ekaterina Lebedeva") also meets the transliterated copy of Cyrillic names.
    const like = `%${name.replace(/[%_\\]/g, '\\$&')}%`;
    query = query
      .where(
        sql<boolean>`(c.search_name %> ${name} or c.search_name like ${like}
          or c.search_name_latin %> crm_translit(${name}))`,
      )
      .orderBy(
        sql`greatest(word_similarity(${name}, c.search_name), word_similarity(crm_translit(${name}), c.search_name_latin))`,
        'desc',
      )
      .orderBy('c.display_name');
  }
  return query.execute();
}

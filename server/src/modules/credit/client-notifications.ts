import { formatMoney } from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type MessageSender, PermanentSendError, type Senders } from './notification-senders.ts';

// The client notification outbox. A status change writes its messages (one per channel with an enabled
// template and a contact) and their jobs in its own transaction: the message exists if and only if the change
// committed. The job sends it (retried with graphile-worker's backoff), marks it sent and records it on the
// client's history (interactions) in one transaction. Sent messages are never sent again: the row's status is
// checked under its lock, and the idempotency key goes to the provider for the crash window in between.

export const CLIENT_EVENTS = [
  'submitted',
  'documents_requested',
  'approved',
  'approved_changed_terms',
  'declined',
  'disbursed',
] as const;
export type ClientEvent = (typeof CLIENT_EVENTS)[number];

const render = (text: string, vars: Record<string, string>) =>
  text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? '');

/**
 * The language of a client's messages: the client's own choice, else by citizenship (RU or unknown:
 * Russian, another country: English).
 */
export function clientLanguage(preferred: 'ru' | 'en' | null, citizenship: string | null): 'ru' | 'en' {
  if (preferred) return preferred;
  return citizenship && citizenship !== 'RU' ? 'en' : 'ru';
}

/** Fills a template's `{{placeholders}}` (unknown ones become empty); the admin page's preview uses it too. */
export const renderTemplate = render;

/**
 * Queues the client's messages about `event` of an application. `occurrence` makes the key unique per status
 * change (e.g. the application's version after it), so a second "documents requested" is a new message while
 * a replayed change is not.
 */
export async function enqueueClientNotifications(
  trx: Db,
  input: {
    applicationId: string;
    event: ClientEvent;
    occurrence: string | number;
    actorId: string | null;
    comment?: string | null;
    maxAttempts?: number;
  },
): Promise<string[]> {
  const app = await trx
    .selectFrom('credit_applications as a')
    .innerJoin('clients as c', 'c.id', 'a.client_id')
    .innerJoin('products as p', 'p.id', 'a.product_id')
    .leftJoin('individual_profiles as ip', 'ip.client_id', 'c.id')
    .where('a.id', '=', input.applicationId)
    .select([
      'a.id',
      'a.number',
      'a.client_id',
      'a.amount',
      'a.currency',
      'a.term_months',
      'a.approved_amount',
      'a.approved_term_months',
      'c.display_name',
      'c.preferred_language',
      'ip.citizenship',
      'p.name as product_name',
      sql<
        string | null
      >`(select cp.value from contact_points cp where cp.client_id = c.id and cp.kind = 'email' order by cp.is_primary desc, cp.value limit 1)`.as(
        'email',
      ),
      sql<
        string | null
      >`(select cp.value_normalized from contact_points cp where cp.client_id = c.id and cp.kind = 'phone' order by cp.is_primary desc, cp.value limit 1)`.as(
        'phone',
      ),
    ])
    .executeTakeFirstOrThrow();
  const lang = clientLanguage(app.preferred_language, app.citizenship);
  const templates = await trx
    .selectFrom('notification_templates')
    .where('event', '=', input.event)
    .where('lang', '=', lang)
    .where('enabled', '=', true)
    .selectAll()
    .execute();
  const locale = lang === 'ru' ? 'ru-RU' : 'en-GB';
  const vars = {
    number: app.number,
    clientName: app.display_name,
    product: app.product_name,
    amount: formatMoney({ amount: app.approved_amount ?? app.amount, currency: app.currency.trim() }, locale),
    term: String(app.approved_term_months ?? app.term_months),
    comment: input.comment ?? '',
  };
  const ids: string[] = [];
  for (const t of templates) {
    const recipient = t.channel === 'email' ? app.email : app.phone;
    if (!recipient) continue;
    const row = await trx
      .insertInto('client_notifications')
      .values({
        idempotency_key: `credit:${app.id}:${input.event}:${input.occurrence}:${t.channel}`,
        client_id: app.client_id,
        application_id: app.id,
        event: input.event,
        channel: t.channel,
        lang,
        recipient,
        subject: t.subject ? render(t.subject, vars) : null,
        body: render(t.body, vars),
        created_by: input.actorId,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) continue;
    ids.push(row.id);
    await sql`select graphile_worker.add_job('credit_notify', json_build_object('notificationId', ${row.id}::text),
      job_key := ${`notify:${row.id}`}::text, max_attempts := ${input.maxAttempts ?? 12}::int)`.execute(trx);
  }
  return ids;
}

export type SendOutcome = 'sent' | 'already_sent' | 'failed_permanently' | 'missing';

/**
 * Sends one queued message (the `credit_notify` job). Throws on a retryable failure so graphile-worker
 * retries it with backoff; the error is kept on the row for people to read.
 */
export async function sendClientNotification(
  db: Db,
  senders: Senders,
  notificationId: string,
): Promise<SendOutcome> {
  // Claim: count the attempt and commit before the provider is called, so a crash mid-send is visible.
  const claimed = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('client_notifications')
      .selectAll()
      .where('id', '=', notificationId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return null;
    if (row.status !== 'pending') return row;
    await trx
      .updateTable('client_notifications')
      .set({ attempts: sql`attempts + 1`, last_attempt_at: sql`now()` })
      .where('id', '=', notificationId)
      .execute();
    return row;
  });
  if (!claimed) return 'missing';
  if (claimed.status === 'sent') return 'already_sent';
  if (claimed.status === 'failed') return 'failed_permanently';
  const sender: MessageSender = claimed.channel === 'email' ? senders.email : senders.sms;
  let providerMessageId: string | null;
  try {
    ({ providerMessageId } = await sender.send({
      idempotencyKey: claimed.idempotency_key,
      to: claimed.recipient,
      subject: claimed.subject,
      body: claimed.body,
    }));
  } catch (err) {
    const permanent = err instanceof PermanentSendError;
    await db
      .updateTable('client_notifications')
      .set({ last_error: (err as Error).message.slice(0, 500), ...(permanent ? { status: 'failed' } : {}) })
      .where('id', '=', notificationId)
      .where('status', '=', 'pending')
      .execute();
    if (permanent) return 'failed_permanently';
    throw err;
  }
  await db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('client_notifications')
      .select('status')
      .where('id', '=', notificationId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (locked.status === 'sent') return;
    const row = await trx
      .selectFrom('client_notifications as n')
      .innerJoin('clients as c', 'c.id', 'n.client_id')
      .leftJoin('credit_applications as a', 'a.id', 'n.application_id')
      .where('n.id', '=', notificationId)
      .select([
        'n.client_id',
        'n.channel',
        'n.subject',
        'n.body',
        'n.recipient',
        'n.created_by',
        'c.display_name',
        'c.manager_id',
        'a.created_by as app_created_by',
      ])
      .executeTakeFirstOrThrow();
    // The history entry: an outgoing message on the client, once (the id derives from the notification).
    const author = row.created_by ?? row.app_created_by ?? row.manager_id;
    let interactionId: string | null = null;
    if (author) {
      const inserted = await trx
        .insertInto('interactions')
        .values({
          internet_message_id: `<notification.${notificationId}@crm.local>`,
          kind: 'message',
          direction: 'out',
          subject: row.channel === 'sms' ? `SMS: ${row.body.slice(0, 120)}` : (row.subject ?? ''),
          sent_at: new Date(),
          from_party: JSON.stringify({ name: 'Bank', address: row.channel === 'sms' ? 'sms' : 'bank' }),
          to_parties: JSON.stringify([{ name: row.display_name, address: row.recipient }]),
          cc_parties: '[]',
          body_text: row.body,
          source: 'item',
          created_by: author,
        })
        .onConflict((oc) => oc.column('internet_message_id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) {
        interactionId = inserted.id;
        await trx
          .insertInto('interaction_links')
          .values({ interaction_id: inserted.id, client_id: row.client_id, linked_by: author })
          .execute();
      }
    }
    await trx
      .updateTable('client_notifications')
      .set({
        status: 'sent',
        sent_at: sql`now()`,
        provider_message_id: providerMessageId,
        last_error: null,
        interaction_id: interactionId,
      })
      .where('id', '=', notificationId)
      .execute();
  });
  return 'sent';
}

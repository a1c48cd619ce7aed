import type {
  ClientInteractionsDto,
  InteractionAttachmentDto,
  InteractionDetailDto,
  InteractionLinkDto,
  InteractionSummaryDto,
} from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Party } from '../../db/types.ts';
import { type Principal, visibleClient } from '../auth/principal.ts';

/** The JSON shape of an interaction summary (shared `InteractionSummary`), built in SQL; `i` and `cu` (creator) in scope. */
function summaryJson() {
  return sql<InteractionSummaryDto>`json_build_object('id', i.id, 'internetMessageId', i.internet_message_id,
    'conversationId', i.conversation_id, 'kind', i.kind, 'direction', i.direction, 'subject', i.subject,
    'sentAt', i.sent_at, 'from', i.from_party, 'to', i.to_parties, 'cc', i.cc_parties,
    'snippet', left(btrim(regexp_replace(i.body_text, '\\s+', ' ', 'g')), 200),
    'attachmentCount', (select count(*) from interaction_attachments ia where ia.interaction_id = i.id and not ia.inline),
    'signatureNote', i.signature_note,
    'meeting', case when i.kind = 'meeting' then json_build_object('uid', i.meeting_uid, 'start', i.meeting_start,
      'end', i.meeting_end, 'location', i.meeting_location, 'timeZone', i.meeting_time_zone) end,
    'createdBy', json_build_object('id', cu.id, 'name', cu.name), 'createdAt', i.created_at)`;
}

/** Links of interaction `i` to clients the principal may see, oldest first (shared `InteractionLink`). */
function visibleLinksJson(p: Principal) {
  return sql<InteractionLinkDto[]>`coalesce((select json_agg(json_build_object('clientId', lc.id,
      'clientName', lc.display_name, 'dealId', l.deal_id, 'taskId', l.task_id,
      'linkedBy', json_build_object('id', lu.id, 'name', lu.name), 'linkedAt', l.linked_at) order by l.linked_at, lc.id)
    from interaction_links l join clients lc on lc.id = l.client_id join users lu on lu.id = l.linked_by
    where l.interaction_id = i.id and ${visibleClient(p, 'lc')}), '[]')`;
}

function hiddenLinkCount(p: Principal) {
  return sql<number>`(select count(*)::int from interaction_links l join clients lc on lc.id = l.client_id
    where l.interaction_id = i.id and not ${visibleClient(p, 'lc')})`;
}

/** The client if it exists and the principal may see it. */
export async function findVisibleClient(
  db: Db,
  p: Principal,
  clientId: string,
): Promise<{ id: string; displayName: string } | undefined> {
  return db
    .selectFrom('clients as c')
    .where('c.id', '=', clientId)
    .where(visibleClient(p))
    .select(['c.id', 'c.display_name as displayName'])
    .executeTakeFirst();
}

export async function clientExists(db: Db, clientId: string): Promise<boolean> {
  return Boolean(await db.selectFrom('clients').where('id', '=', clientId).select('id').executeTakeFirst());
}

export async function dealOfClient(db: Db, dealId: string, clientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('deals')
    .where('id', '=', dealId)
    .where('client_id', '=', clientId)
    .select('id')
    .executeTakeFirst();
  return Boolean(row);
}

export async function taskOfClient(db: Db, taskId: string, clientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('tasks')
    .where('id', '=', taskId)
    .where('client_id', '=', clientId)
    .select('id')
    .executeTakeFirst();
  return Boolean(row);
}

/** Whether an address key belongs to a bank user (email, alias or LegacyExchangeDN). */
export async function isBankAddress(db: Db, addressKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('user_addresses')
    .where('address_key', '=', addressKey)
    .select('user_id')
    .executeTakeFirst();
  return Boolean(row);
}

export type NewInteraction = {
  internetMessageId: string;
  conversationId: string | null;
  inReplyTo: string | null;
  references: string[];
  kind: 'message' | 'meeting';
  direction: 'in' | 'out';
  subject: string;
  sentAt: string;
  from: Party | null;
  to: Party[];
  cc: Party[];
  bodyText: string;
  bodyHtml: string | null;
  quotedHistoryStripped: boolean;
  signatureNote: 'smime-signed' | 'smime-opaque-signed' | 'smime-encrypted' | null;
  meeting: {
    uid: string | null;
    start: string | null;
    end: string | null;
    location: string | null;
    timeZone: string | null;
  } | null;
  source: 'mime' | 'item';
  createdBy: string;
  /** See fingerprint.ts. */
  contentFingerprint: string;
};

/**
 * Inserts the interaction unless one with the same Internet Message-ID exists (`on conflict do nothing`:
 * a concurrent insert of the same id waits for the first transaction, then does nothing).
 * @returns the new id, or null when it already existed.
 */
export async function insertInteraction(db: Db, r: NewInteraction): Promise<string | null> {
  const row = await db
    .insertInto('interactions')
    .values({
      internet_message_id: r.internetMessageId,
      conversation_id: r.conversationId,
      in_reply_to: r.inReplyTo,
      message_references: r.references,
      kind: r.kind,
      direction: r.direction,
      subject: r.subject,
      sent_at: r.sentAt,
      from_party: r.from ? JSON.stringify(r.from) : null,
      to_parties: JSON.stringify(r.to),
      cc_parties: JSON.stringify(r.cc),
      body_text: r.bodyText,
      body_html: r.bodyHtml,
      quoted_history_stripped: r.quotedHistoryStripped,
      signature_note: r.signatureNote,
      meeting_uid: r.meeting?.uid ?? null,
      meeting_start: r.meeting?.start ?? null,
      meeting_end: r.meeting?.end ?? null,
      meeting_location: r.meeting?.location ?? null,
      meeting_time_zone: r.meeting?.timeZone ?? null,
      source: r.source,
      created_by: r.createdBy,
      content_fingerprint: r.contentFingerprint,
    })
    .onConflict((oc) => oc.column('internet_message_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function findInteractionIdByMessageId(
  db: Db,
  internetMessageId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('interactions')
    .where('internet_message_id', '=', internetMessageId)
    .select('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * What a logged interaction holds, to compare a re-submission with: its stored fingerprint (null for rows
 * logged before fingerprints; then the subject and body it was computed from) and its files' hashes.
 */
export async function findStoredContent(
  db: Db,
  id: string,
): Promise<
  | {
      fingerprint: string | null;
      subject: string;
      bodyHtml: string | null;
      bodyText: string;
      sha256s: string[];
    }
  | undefined
> {
  return db
    .selectFrom('interactions as i')
    .where('i.id', '=', id)
    .select([
      'i.content_fingerprint as fingerprint',
      'i.subject',
      'i.body_html as bodyHtml',
      'i.body_text as bodyText',
      sql<
        string[]
      >`array(select distinct a.sha256 from interaction_attachments a where a.interaction_id = i.id)`.as(
        'sha256s',
      ),
    ])
    .executeTakeFirst();
}

export type NewAttachment = {
  sha256: string;
  content: Buffer;
  filename: string;
  contentType: string;
  contentId: string | null;
  inline: boolean;
};

/**
 * Stores the attachments of a new interaction: each distinct content once in `blobs` (kept if already
 * there), in sha256 order so two transactions sharing files lock them in the same order (no deadlock).
 */
export async function insertAttachments(
  db: Db,
  interactionId: string,
  files: NewAttachment[],
): Promise<void> {
  const distinct = [...new Map(files.map((f) => [f.sha256, f])).values()].sort((a, b) =>
    a.sha256 < b.sha256 ? -1 : 1,
  );
  for (const f of distinct) {
    await db
      .insertInto('blobs')
      .values({ sha256: f.sha256, size: f.content.length, content: f.content })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
  }
  for (const [ordinal, f] of files.entries()) {
    await db
      .insertInto('interaction_attachments')
      .values({
        interaction_id: interactionId,
        ordinal,
        sha256: f.sha256,
        filename: f.filename,
        content_type: f.contentType,
        size: f.content.length,
        content_id: f.contentId,
        inline: f.inline,
      })
      .execute();
  }
}

/** Links the interaction to a client; false when that link existed. */
export async function insertLink(
  db: Db,
  link: {
    interactionId: string;
    clientId: string;
    dealId: string | null;
    taskId: string | null;
    userId: string;
  },
): Promise<boolean> {
  const row = await db
    .insertInto('interaction_links')
    .values({
      interaction_id: link.interactionId,
      client_id: link.clientId,
      deal_id: link.dealId,
      task_id: link.taskId,
      linked_by: link.userId,
    })
    .onConflict((oc) => oc.columns(['interaction_id', 'client_id']).doNothing())
    .returning('client_id')
    .executeTakeFirst();
  return Boolean(row);
}

export type InteractionOverview = {
  summary: InteractionSummaryDto;
  links: InteractionLinkDto[];
  hiddenLinkCount: number;
};

/** Summary and the principal's view of the links of one interaction, or undefined when it does not exist. */
export async function findInteractionOverview(
  db: Db,
  p: Principal,
  id: string,
): Promise<InteractionOverview | undefined> {
  const row = await db
    .selectFrom('interactions as i')
    .innerJoin('users as cu', 'cu.id', 'i.created_by')
    .where('i.id', '=', id)
    .select([
      summaryJson().as('summary'),
      visibleLinksJson(p).as('links'),
      hiddenLinkCount(p).as('hiddenLinkCount'),
    ])
    .executeTakeFirst();
  return row;
}

/** The whole interaction with attachments and the principal's view of its links, or undefined. */
export async function findInteractionDetail(
  db: Db,
  p: Principal,
  id: string,
): Promise<(InteractionDetailDto & { allClientIds: string[] }) | undefined> {
  const row = await db
    .selectFrom('interactions as i')
    .innerJoin('users as cu', 'cu.id', 'i.created_by')
    .where('i.id', '=', id)
    .select([
      summaryJson().as('summary'),
      'i.in_reply_to as inReplyTo',
      'i.message_references as references',
      'i.body_text as bodyText',
      'i.body_html as bodyHtml',
      'i.quoted_history_stripped as quotedHistoryStripped',
      sql<InteractionAttachmentDto[]>`coalesce((select json_agg(json_build_object('sha256', a.sha256,
        'filename', a.filename, 'contentType', a.content_type, 'size', a.size, 'contentId', a.content_id,
        'inline', a.inline) order by a.ordinal) from interaction_attachments a where a.interaction_id = i.id), '[]')`.as(
        'attachments',
      ),
      visibleLinksJson(p).as('links'),
      hiddenLinkCount(p).as('hiddenLinkCount'),
      sql<string[]>`array(select l.client_id from interaction_links l where l.interaction_id = i.id)`.as(
        'allClientIds',
      ),
    ])
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    ...row.summary,
    inReplyTo: row.inReplyTo,
    references: row.references,
    bodyText: row.bodyText,
    bodyHtml: row.bodyHtml,
    quotedHistoryStripped: row.quotedHistoryStripped,
    attachments: row.attachments,
    links: row.links,
    hiddenLinkCount: row.hiddenLinkCount,
    allClientIds: row.allClientIds,
  };
}

/** Client ids linked to an interaction, each with whether the principal may see it. */
export async function linkedClients(
  db: Db,
  p: Principal,
  interactionId: string,
): Promise<{ clientId: string; visible: boolean }[]> {
  const rows = await db
    .selectFrom('interaction_links as l')
    .innerJoin('clients as c', 'c.id', 'l.client_id')
    .where('l.interaction_id', '=', interactionId)
    .select(['c.id as clientId', visibleClient(p).as('visible')])
    .execute();
  return rows.map((r) => ({ clientId: r.clientId, visible: Boolean(r.visible) }));
}

/** One attachment's content, when the interaction has an attachment with this hash. */
export async function findAttachmentContent(
  db: Db,
  interactionId: string,
  sha256: string,
): Promise<{ filename: string; contentType: string; content: Buffer } | undefined> {
  return db
    .selectFrom('interaction_attachments as a')
    .innerJoin('blobs as b', 'b.sha256', 'a.sha256')
    .where('a.interaction_id', '=', interactionId)
    .where('a.sha256', '=', sha256)
    .orderBy('a.ordinal')
    .select(['a.filename', 'a.content_type as contentType', 'b.content'])
    .executeTakeFirst();
}

type Cursor = { sentAt: string; id: string };

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.sentAt}|${c.id}`).toString('base64url');
}

const CURSOR =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d{6}Z\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * Reads a `nextCursor` back; null for anything {@link encodeCursor} did not make (bad Base64url, a time that is
 * no calendar time such as Feb 30, an id that is no UUID), so PostgreSQL never sees a value it would refuse.
 */
export function decodeCursor(raw: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(raw)) return null;
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const m = CURSOR.exec(text);
  if (!m) return null;
  const t = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 19) !== m[1]) return null;
  const [sentAt = '', id = ''] = text.split('|');
  return { sentAt, id };
}

/**
 * A client's interactions, newest first (by sent time, then id), `limit` per page, keyset-paginated.
 * The caller has checked that the principal may see the client.
 */
export async function findClientHistory(
  db: Db,
  clientId: string,
  limit: number,
  cursor: Cursor | null,
): Promise<ClientInteractionsDto> {
  let query = db
    .selectFrom('interaction_links as l')
    .innerJoin('interactions as i', 'i.id', 'l.interaction_id')
    .innerJoin('users as cu', 'cu.id', 'i.created_by')
    .innerJoin('users as lu', 'lu.id', 'l.linked_by')
    .where('l.client_id', '=', clientId)
    .select([
      summaryJson().as('summary'),
      sql<ClientInteractionsDto['items'][number]['link']>`json_build_object('dealId', l.deal_id,
        'taskId', l.task_id, 'linkedBy', json_build_object('id', lu.id, 'name', lu.name), 'linkedAt', l.linked_at)`.as(
        'link',
      ),
      sql<string>`to_char(i.sent_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('sortAt'),
      'i.id',
    ])
    .orderBy('i.sent_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(limit + 1);
  if (cursor)
    query = query.where(
      sql<boolean>`(i.sent_at, i.id) < (${cursor.sentAt}::timestamptz, ${cursor.id}::uuid)`,
    );
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ ...r.summary, link: r.link })),
    nextCursor: rows.length > limit && last ? encodeCursor({ sentAt: last.sortAt, id: last.id }) : null,
  };
}

/**
 * Removes one link. When it was the interaction's last, the interaction goes too (attachments cascade).
 * @returns null when there was no such link; else whether the interaction was deleted and its files' hashes.
 */
export async function deleteLink(
  db: Db,
  interactionId: string,
  clientId: string,
): Promise<{ interactionDeleted: boolean; sha256s: string[]; internetMessageId: string } | null> {
  const interaction = await db
    .selectFrom('interactions')
    .where('id', '=', interactionId)
    .select('internet_message_id')
    .forUpdate()
    .executeTakeFirst();
  if (!interaction) return null;
  const removed = await db
    .deleteFrom('interaction_links')
    .where('interaction_id', '=', interactionId)
    .where('client_id', '=', clientId)
    .returning('client_id')
    .executeTakeFirst();
  if (!removed) return null;
  const left = await db
    .selectFrom('interaction_links')
    .where('interaction_id', '=', interactionId)
    .select('client_id')
    .executeTakeFirst();
  if (left)
    return { interactionDeleted: false, sha256s: [], internetMessageId: interaction.internet_message_id };
  const files = await db
    .selectFrom('interaction_attachments')
    .where('interaction_id', '=', interactionId)
    .select('sha256')
    .execute();
  await db.deleteFrom('interactions').where('id', '=', interactionId).execute();
  return {
    interactionDeleted: true,
    sha256s: [...new Set(files.map((f) => f.sha256))],
    internetMessageId: interaction.internet_message_id,
  };
}

/** Deletes blobs no attachment refers to any more (among `sha256s`). */
export async function deleteOrphanBlobs(db: Db, sha256s: string[]): Promise<void> {
  if (sha256s.length === 0) return;
  await db
    .deleteFrom('blobs as b')
    .where('b.sha256', '=', sql<string>`any(${sha256s}::text[])`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('interaction_attachments as a').whereRef('a.sha256', '=', 'b.sha256').select('a.sha256'),
        ),
      ),
    )
    .execute();
}

/**
 * Logged messages of a thread linked to at least one client the principal may see: same Exchange
 * conversation id, or one of the given Message-IDs (In-Reply-To, References); each with those clients.
 * Messages linked only to hidden clients are left out entirely (not even counted).
 */
export async function findThreadInteractions(
  db: Db,
  p: Principal,
  conversationId: string | null,
  messageIds: string[],
): Promise<
  {
    id: string;
    subject: string;
    sentAt: string;
    clients: { id: string; displayName: string }[];
  }[]
> {
  if (!conversationId && messageIds.length === 0) return [];
  return db
    .selectFrom('interactions as i')
    .where((eb) =>
      eb.or([
        eb('i.conversation_id', '=', conversationId ?? ''),
        eb('i.internet_message_id', '=', sql<string>`any(${messageIds}::text[])`),
      ]),
    )
    .where(
      sql<boolean>`exists (select 1 from interaction_links vl join clients lc on lc.id = vl.client_id
        where vl.interaction_id = i.id and ${visibleClient(p, 'lc')})`,
    )
    .select([
      'i.id',
      'i.subject',
      sql<string>`to_char(i.sent_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as('sentAt'),
      sql<{ id: string; displayName: string }[]>`coalesce((select json_agg(json_build_object('id', lc.id,
        'displayName', lc.display_name) order by lc.display_name) from interaction_links l
        join clients lc on lc.id = l.client_id where l.interaction_id = i.id and ${visibleClient(p, 'lc')}), '[]')`.as(
        'clients',
      ),
    ])
    .orderBy('i.sent_at', 'desc')
    .limit(50)
    .execute();
}

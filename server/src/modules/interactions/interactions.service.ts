import { createHash } from 'node:crypto';
import {
  type AddInteractionLinkRequestDto,
  AppError,
  type ClientInteractionsDto,
  type ConversationStatusDto,
  type InteractionDetailDto,
  type InteractionStatusDto,
  INTERACTION_LIMITS as L,
  type LogInteractionRequestDto,
  type LogInteractionResponseDto,
  type LogNoteDto,
  normalizeAddress,
} from '@crm/shared';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import { isAdmin, type Principal } from '../auth/principal.ts';
import { prepareBody, referencedContentIds } from './email-body.ts';
import { contentFingerprint } from './fingerprint.ts';
import {
  clientExists,
  dealOfClient,
  decodeCursor,
  deleteLink,
  deleteOrphanBlobs,
  findAttachmentContent,
  findClientHistory,
  findInteractionDetail,
  findInteractionIdByMessageId,
  findInteractionOverview,
  findStoredContent,
  findThreadInteractions,
  findVisibleClient,
  insertAttachments,
  insertInteraction,
  insertLink,
  isBankAddress,
  linkedClients,
  type NewAttachment,
  type NewInteraction,
  taskOfClient,
} from './interactions.repository.ts';
import {
  checkMessageKey,
  cleanBody,
  cleanFilename,
  cleanText,
  dateInRange,
  Notes,
  usableIds,
} from './limits.ts';
import {
  defaultFilename,
  messageIdList,
  normalizeMessageId,
  type ParsedAttachment,
  type ParsedMessage,
  type Party,
  parseMime,
  partyOf,
} from './mime.ts';

/** Size limits of a logged interaction (config `CRM_ATTACHMENT_MAX_BYTES`, `CRM_INTERACTION_MAX_BYTES`). */
export type InteractionLimits = { attachmentMaxBytes: number; interactionMaxBytes: number };

const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
/** "26214401 bytes (25 MiB)": exact, so one byte over a limit does not read as equal to it. */
const size = (n: number) => `${n} bytes (${mib(n)})`;

/** A message from either source, before its body is cleaned. */
type Incoming = Omit<ParsedMessage, 'internetMessageId' | 'sentAt'> & {
  internetMessageId: string;
  sentAt: string;
  /** Request field each attachment came from, for a 413's `field`. */
  attachmentFields: string[];
  /** Every file the submitted message carries, chosen or not: what the sender shows they hold. */
  offered: ParsedAttachment[];
  source: 'mime' | 'item';
  notes: Notes;
};

/** A MIME date outside 1900-2199 is dropped with a note. */
function keptDate(iso: string | null, field: string, notes: Notes): string | null {
  if (iso === null || dateInRange(iso)) return iso;
  notes.add(field, `${field}: ${iso} is outside 1900-2199 and was not kept`);
  return null;
}

async function fromMime(base64: string, input: LogInteractionRequestDto): Promise<Incoming> {
  if (!/^[A-Za-z0-9+/=\r\n]+$/.test(base64))
    throw new AppError('VALIDATION_FAILED', 'source.mime must be Base64', 'body.source.mime');
  let parsed: ParsedMessage;
  try {
    parsed = await parseMime(Buffer.from(base64, 'base64'));
  } catch {
    throw new AppError('VALIDATION_FAILED', 'source.mime is not a readable MIME message', 'body.source.mime');
  }
  if (!parsed.internetMessageId)
    throw new AppError('VALIDATION_FAILED', 'The MIME source has no Message-ID header', 'body.source.mime');
  checkMessageKey(
    parsed.internetMessageId,
    'source.mime: the Message-ID header',
    L.messageIdBytes,
    'body.source.mime',
  );
  const notes = new Notes();
  let sentAt = parsed.sentAt;
  if (sentAt && !dateInRange(sentAt)) {
    notes.add(
      'sentAt',
      `sentAt: the Date header (${sentAt}) is outside 1900-2199: the time of logging is used`,
    );
    sentAt = null;
  }
  sentAt ??= new Date().toISOString();
  // The user's choice of files (by the name Outlook shows, or as stored); inline images are decided later
  // by what the kept body shows.
  const chosen = input.attachmentNames ? new Set(input.attachmentNames) : null;
  const attachments = parsed.attachments.filter(
    (a, i) =>
      a.inline ||
      !chosen ||
      chosen.has(a.filename) ||
      chosen.has(cleanFilename(a.filename, defaultFilename(i, a.contentType))),
  );
  const meeting = parsed.meeting
    ? {
        ...parsed.meeting,
        start: keptDate(parsed.meeting.start, 'meeting.start', notes),
        end: keptDate(parsed.meeting.end, 'meeting.end', notes),
      }
    : null;
  return {
    ...parsed,
    internetMessageId: parsed.internetMessageId,
    sentAt,
    meeting,
    attachments,
    offered: parsed.attachments,
    attachmentFields: attachments.map(() => 'body.source.mime'),
    source: 'mime',
    notes,
  };
}

/** An `item` date: refused (400 naming it) when it falls outside 1900-2199 once in UTC. */
function itemDate(iso: string, field: string): string {
  if (!dateInRange(iso))
    throw new AppError(
      'VALIDATION_FAILED',
      `${field.replace(/^body\./, '')}: ${iso} is ${new Date(iso).toISOString()} in UTC, outside 1900-2199`,
      field,
    );
  return new Date(iso).toISOString();
}

/** Standard Base64 (whitespace allowed, padding optional); anything else is refused rather than skipped. */
function decodeBase64(value: string, field: string): Buffer {
  const compact = value.replace(/[\r\n\t ]/g, '');
  const padded = /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact.length % 4 !== 1;
  if (!padded || (compact.includes('=') && compact.length % 4 !== 0))
    throw new AppError('VALIDATION_FAILED', `${field.replace(/^body\./, '')} is not valid Base64`, field);
  return Buffer.from(compact, 'base64');
}

function fromItem(item: NonNullable<LogInteractionRequestDto['source']['item']>): Incoming {
  const meetingUid = item.meeting?.uid?.trim();
  const messageId = normalizeMessageId(item.internetMessageId);
  if (messageId)
    checkMessageKey(
      messageId,
      'source.item.internetMessageId',
      L.messageIdBytes,
      'body.source.item.internetMessageId',
    );
  else if (meetingUid)
    checkMessageKey(`<${meetingUid}>`, 'source.item.meeting.uid', L.uidBytes, 'body.source.item.meeting.uid');
  const internetMessageId = messageId ?? (meetingUid ? `<ical-uid:${meetingUid}>` : null);
  if (!internetMessageId)
    throw new AppError(
      'VALIDATION_FAILED',
      'source.item needs internetMessageId (or meeting.uid for a calendar item)',
      'body.source.item.internetMessageId',
    );
  const files = item.attachments ?? [];
  const attachments = files.map((a, i) => {
    const contentId = a.contentId?.replace(/^<|>$/g, '').trim() || null;
    return {
      filename: a.name,
      contentType: a.contentType.toLowerCase() || 'application/octet-stream',
      content: decodeBase64(a.contentBase64, `body.source.item.attachments.${i}.contentBase64`),
      contentId,
      inline: Boolean(a.isInline && contentId),
    };
  });
  const meetingDate = (v: string | null | undefined, key: 'start' | 'end') =>
    v ? itemDate(v, `body.source.item.meeting.${key}`) : null;
  return {
    internetMessageId,
    inReplyTo: normalizeMessageId(item.inReplyTo),
    references: (item.references ?? []).flatMap((r) => messageIdList(r)),
    subject: item.subject.replace(/\s+/g, ' ').trim(),
    sentAt: itemDate(item.sentAt, 'body.source.item.sentAt'),
    from: item.from ? partyOf(item.from.name, item.from.address) : null,
    to: item.to.map((t) => partyOf(t.name, t.address)),
    cc: (item.cc ?? []).map((t) => partyOf(t.name, t.address)),
    html: item.bodyHtml ?? null,
    text: item.bodyText ?? null,
    attachments,
    offered: attachments,
    attachmentFields: files.map((_a, i) => `body.source.item.attachments.${i}`),
    meeting:
      item.kind === 'meeting' || item.meeting
        ? {
            uid: meetingUid || null,
            start: meetingDate(item.meeting?.start, 'start'),
            end: meetingDate(item.meeting?.end, 'end'),
            timeZone: item.meeting?.timeZone ?? null,
            ianaTimeZone: null,
            location: item.meeting?.location ?? null,
            summary: null,
            allDay: false,
            method: null,
          }
        : null,
    signature: null,
    source: 'item',
    notes: new Notes(),
  };
}

/**
 * Holds what the message says to the limits both sources share (`INTERACTION_LIMITS`, see limits.ts): text
 * without NUL characters and cut to its length, at most 500 recipients per list, thread ids that can be ids,
 * file names cleaned. Every change is noted in `msg.notes`.
 */
function withinLimits(msg: Incoming): Incoming {
  const { notes } = msg;
  const party = (p: Party, field: string): Party => ({
    name: cleanText(p.name, L.partyName, `${field}.name`, notes),
    address: cleanText(p.address, L.address, `${field}.address`, notes),
  });
  const list = (parties: Party[], field: 'to' | 'cc') => {
    if (parties.length > L.parties)
      notes.add(field, `${field}: ${parties.length} recipients, the first ${L.parties} kept`);
    return parties.slice(0, L.parties).map((p) => party(p, field));
  };
  const file = (a: ParsedAttachment, i: number): ParsedAttachment => {
    const type = cleanText(a.contentType, L.contentType, 'attachments.contentType', notes);
    return {
      ...a,
      filename: cleanFilename(a.filename, defaultFilename(i, type)),
      contentType: type || 'application/octet-stream',
      contentId:
        a.contentId === null ? null : cleanText(a.contentId, L.contentId, 'attachments.contentId', notes),
    };
  };
  const inReplyTo = msg.inReplyTo ? usableIds([msg.inReplyTo], notes, 'inReplyTo') : [];
  return {
    ...msg,
    subject: cleanText(msg.subject, L.subject, 'subject', notes),
    inReplyTo: inReplyTo[0] ?? null,
    references: usableIds(msg.references, notes, 'references'),
    from: msg.from ? party(msg.from, 'from') : null,
    to: list(msg.to, 'to'),
    cc: list(msg.cc, 'cc'),
    html: cleanBody(msg.html, 'bodyHtml', notes),
    text: cleanBody(msg.text, 'bodyText', notes),
    attachments: msg.attachments.map(file),
    meeting: msg.meeting
      ? {
          ...msg.meeting,
          uid: msg.meeting.uid === null ? null : cleanText(msg.meeting.uid, L.uidBytes, 'meeting.uid', notes),
          location:
            msg.meeting.location === null
              ? null
              : cleanText(msg.meeting.location, L.location, 'meeting.location', notes),
          timeZone:
            msg.meeting.timeZone === null
              ? null
              : cleanText(msg.meeting.timeZone, L.timeZone, 'meeting.timeZone', notes),
        }
      : null,
  };
}

type Prepared = {
  row: NewInteraction;
  files: NewAttachment[];
  /** SHA-256 of every file the submitted message carries (chosen or not). */
  held: Set<string>;
  notes: LogNoteDto[];
};

/**
 * Turns the request into the row to store and its files: held to the shared limits, body cut to the new part
 * and sanitised, inline images kept only when the kept body shows them, sizes checked, content fingerprinted.
 * @throws AppError VALIDATION_FAILED (no or two sources, unreadable MIME, no or unusable Message-ID, a date
 * outside 1900-2199 or bad Base64 in an item, over 100 files), PAYLOAD_TOO_LARGE (one file over the
 * attachment limit, or all files over the interaction limit)
 */
async function prepare(
  db: Db,
  p: Principal,
  input: LogInteractionRequestDto,
  limits: InteractionLimits,
): Promise<Prepared> {
  const { mime, item } = input.source;
  if ((mime === undefined) === (item === undefined))
    throw new AppError('VALIDATION_FAILED', 'source needs exactly one of mime or item', 'body.source');
  const msg = withinLimits(mime !== undefined ? await fromMime(mime, input) : fromItem(item!));
  const body = prepareBody({ html: msg.html, text: msg.text, subject: msg.subject });
  const shown = body.html ? referencedContentIds(body.html) : new Set<string>();
  const digests = new Map<Buffer, string>();
  const digest = (b: Buffer) => {
    const known = digests.get(b);
    if (known) return known;
    const d = createHash('sha256').update(b).digest('hex');
    digests.set(b, d);
    return d;
  };
  let total = 0;
  const files: NewAttachment[] = [];
  for (const [i, a] of msg.attachments.entries()) {
    if (a.inline && !shown.has((a.contentId ?? '').toLowerCase())) continue;
    if (a.content.length > limits.attachmentMaxBytes)
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `Attachment "${a.filename}" is ${size(a.content.length)}, over the limit of ${size(limits.attachmentMaxBytes)}`,
        msg.attachmentFields[i],
      );
    total += a.content.length;
    files.push({
      sha256: digest(a.content),
      content: a.content,
      filename: a.filename,
      contentType: a.contentType,
      contentId: a.contentId,
      inline: a.inline,
    });
  }
  if (files.length > L.attachments)
    throw new AppError(
      'VALIDATION_FAILED',
      `The message has ${files.length} files to log, over the limit of ${L.attachments}: choose some (attachmentNames)`,
      mime !== undefined ? 'body.source.mime' : 'body.source.item.attachments',
    );
  if (total > limits.interactionMaxBytes)
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `Attachments total ${size(total)}, over the limit of ${size(limits.interactionMaxBytes)} per interaction`,
      mime !== undefined ? 'body.source.mime' : 'body.source.item.attachments',
    );
  const fromKey = msg.from ? normalizeAddress(msg.from.address).key : '';
  const direction =
    input.direction ?? (fromKey && (await isBankAddress(db, fromKey)) ? ('out' as const) : ('in' as const));
  return {
    row: {
      internetMessageId: msg.internetMessageId,
      conversationId: input.conversationId?.trim() || null,
      inReplyTo: msg.inReplyTo,
      references: msg.references,
      kind: msg.meeting ? 'meeting' : 'message',
      direction,
      subject: msg.subject,
      sentAt: msg.sentAt,
      from: msg.from,
      to: msg.to,
      cc: msg.cc,
      bodyText: body.text,
      bodyHtml: body.html,
      quotedHistoryStripped: body.quotedHistoryStripped,
      signatureNote: msg.signature,
      meeting: msg.meeting
        ? {
            uid: msg.meeting.uid,
            start: msg.meeting.start,
            end: msg.meeting.end,
            location: msg.meeting.location,
            timeZone: msg.meeting.timeZone,
          }
        : null,
      source: msg.source,
      createdBy: p.id,
      contentFingerprint: contentFingerprint({
        subject: msg.subject,
        bodyHtml: body.html,
        bodyText: body.text,
      }),
    },
    files,
    held: new Set(msg.offered.map((a) => digest(a.content))),
    notes: msg.notes.list,
  };
}

/** Checks that the client is visible and the deal/task (if any) are the client's. */
async function checkLinkTarget(
  db: Db,
  p: Principal,
  target: { clientId: string; dealId?: string | null; taskId?: string | null },
): Promise<void> {
  if (!(await findVisibleClient(db, p, target.clientId)))
    throw new AppError('NOT_FOUND', 'No such client, or it is not visible to you', 'body.clientId');
  if (target.dealId && !(await dealOfClient(db, target.dealId, target.clientId)))
    throw new AppError('NOT_FOUND', 'No such deal for this client', 'body.dealId');
  if (target.taskId && !(await taskOfClient(db, target.taskId, target.clientId)))
    throw new AppError('NOT_FOUND', 'No such task for this client', 'body.taskId');
}

/** A refused write on an existing client the user may not see is audited, outside the rolled-back transaction. */
async function auditDeniedClient(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  err: unknown,
  action: string,
  clientId: string,
): Promise<void> {
  if (err instanceof AppError && err.field === 'body.clientId' && (await clientExists(db, clientId)))
    await recordAudit(db, p, origin, [{ action, result: 'denied', clientIds: [clientId] }]);
}

async function overviewResponse(
  db: Db,
  p: Principal,
  interactionId: string,
  created: boolean,
  linked: boolean,
  notes: LogNoteDto[] = [],
): Promise<LogInteractionResponseDto> {
  const o = (await findInteractionOverview(db, p, interactionId))!;
  return {
    interaction: o.summary,
    links: o.links,
    hiddenLinkCount: o.hiddenLinkCount,
    created,
    linked,
    ...(created ? {} : { alreadyLoggedBy: { user: o.summary.createdBy, at: o.summary.createdAt } }),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * Whether a re-submitted message is the one logged: same fingerprint (see fingerprint.ts) and it carries every
 * file stored with the interaction.
 */
async function sameMessage(db: Db, id: string, prepared: Prepared): Promise<boolean> {
  const stored = await findStoredContent(db, id);
  if (!stored) return false;
  const fingerprint = stored.fingerprint ?? contentFingerprint(stored);
  return fingerprint === prepared.row.contentFingerprint && stored.sha256s.every((h) => prepared.held.has(h));
}

/**
 * Logs an email or meeting to a visible client. One interaction per Internet Message-ID whoever logs it and
 * from wherever: the insert is `on conflict do nothing`, so two users logging the same message at once get
 * one interaction (the second waits for the first and reuses it) and a link each. Body, files, link and
 * audit commit together. When the interaction existed, the first logger's body and files are kept.
 * A Message-ID is no proof of having the message: when it exists and the caller sees none of its clients, it
 * is linked only when the submitted content is the same message (fingerprint and files); else 409
 * MESSAGE_ID_CONFLICT, nothing linked, audited as denied.
 * @throws AppError VALIDATION_FAILED, PAYLOAD_TOO_LARGE, NOT_FOUND (client, deal or task), MESSAGE_ID_CONFLICT
 */
export async function logInteraction(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  input: LogInteractionRequestDto,
  limits: InteractionLimits,
): Promise<LogInteractionResponseDto> {
  let conflict: { id: string; clientIds: string[]; internetMessageId: string } | null = null;
  try {
    await checkLinkTarget(db, p, input);
    const prepared = await prepare(db, p, input, limits);
    const { row, files } = prepared;
    return await db.transaction().execute(async (trx) => {
      let newId = await insertInteraction(trx, row);
      let id = newId ?? (await findInteractionIdByMessageId(trx, row.internetMessageId));
      // Its last link was deleted (and it with it) between the two statements: insert it after all.
      if (!id) id = newId = await insertInteraction(trx, row);
      if (!id) throw new Error('interaction vanished between insert and select');
      if (newId) await insertAttachments(trx, newId, files);
      else {
        const clients = await linkedClients(trx, p, id);
        if (!clients.some((c) => c.visible) && !(await sameMessage(trx, id, prepared))) {
          conflict = {
            id,
            clientIds: clients.map((c) => c.clientId),
            internetMessageId: row.internetMessageId,
          };
          throw new AppError(
            'MESSAGE_ID_CONFLICT',
            'A message with this Message-ID is logged already, with other content or more files: this one ' +
              'was not logged. If it is the same email, log it from the original message with all its attachments',
            'body.source',
          );
        }
      }
      const linked = await insertLink(trx, {
        interactionId: id,
        clientId: input.clientId,
        dealId: input.dealId ?? null,
        taskId: input.taskId ?? null,
        userId: p.id,
      });
      await recordAudit(trx, p, origin, [
        {
          action: 'interaction.log',
          result: 'ok',
          clientIds: [input.clientId],
          entity: 'interaction',
          entityId: id,
          details: {
            created: Boolean(newId),
            linked,
            source: row.source,
            kind: row.kind,
            attachments: newId ? files.length : 0,
            dealId: input.dealId ?? null,
            taskId: input.taskId ?? null,
            ...(newId && prepared.notes.length > 0 ? { notes: prepared.notes.map((n) => n.field) } : {}),
          },
        },
      ]);
      return overviewResponse(trx, p, id, Boolean(newId), linked, newId ? prepared.notes : []);
    });
  } catch (err) {
    const c = conflict as { id: string; clientIds: string[]; internetMessageId: string } | null;
    if (c)
      await recordAudit(db, p, origin, [
        {
          action: 'interaction.log',
          result: 'denied',
          clientIds: [...new Set([input.clientId, ...c.clientIds])],
          entity: 'interaction',
          entityId: c.id,
          details: { reason: 'message_id_conflict', internetMessageId: c.internetMessageId },
        },
      ]);
    else await auditDeniedClient(db, p, origin, err, 'interaction.log', input.clientId);
    throw err;
  }
}

/**
 * Adds the caller's link to an interaction someone logged already (no upload again). Only an interaction the
 * caller can see (one of its clients is visible to them): its id alone gives no access (404, audited).
 * @throws AppError NOT_FOUND (interaction not visible, client, deal or task)
 */
export async function addInteractionLink(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  interactionId: string,
  input: AddInteractionLinkRequestDto,
): Promise<LogInteractionResponseDto> {
  const clients = await linkedClients(db, p, interactionId);
  if (!clients.some((c) => c.visible)) {
    if (clients.length > 0)
      await recordAudit(db, p, origin, [
        {
          action: 'interaction.link',
          result: 'denied',
          clientIds: [...new Set([input.clientId, ...clients.map((c) => c.clientId)])],
          entity: 'interaction',
          entityId: interactionId,
        },
      ]);
    throw new AppError('NOT_FOUND', 'No such interaction, or it is not visible to you', 'params.id');
  }
  try {
    return await db.transaction().execute(async (trx) => {
      const exists = await trx
        .selectFrom('interactions')
        .where('id', '=', interactionId)
        .select('id')
        .executeTakeFirst();
      if (!exists) throw new AppError('NOT_FOUND', 'No such interaction', 'params.id');
      await checkLinkTarget(trx, p, input);
      const linked = await insertLink(trx, {
        interactionId,
        clientId: input.clientId,
        dealId: input.dealId ?? null,
        taskId: input.taskId ?? null,
        userId: p.id,
      });
      await recordAudit(trx, p, origin, [
        {
          action: 'interaction.link',
          result: 'ok',
          clientIds: [input.clientId],
          entity: 'interaction',
          entityId: interactionId,
          details: { linked, dealId: input.dealId ?? null, taskId: input.taskId ?? null },
        },
      ]);
      return overviewResponse(trx, p, interactionId, false, linked);
    });
  } catch (err) {
    await auditDeniedClient(db, p, origin, err, 'interaction.link', input.clientId);
    throw err;
  }
}

const NOT_LOGGED: InteractionStatusDto = {
  logged: false,
  interactionId: null,
  loggedBy: null,
  links: [],
  hiddenLinkCount: 0,
};

/**
 * Whether a message is logged, by whom and when, and to which of the caller's visible clients: what the pane
 * shows as "already logged by X at T" on any machine. Other clients of it are only counted. A message linked
 * only to clients the caller may not see answers as not logged: a Message-ID is no proof of having it.
 */
export async function interactionStatus(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  rawMessageId: string,
): Promise<InteractionStatusDto> {
  const mid = normalizeMessageId(rawMessageId);
  const id = mid ? await findInteractionIdByMessageId(db, mid) : null;
  const o = id ? await findInteractionOverview(db, p, id) : undefined;
  if (!id || !o || o.links.length === 0) return NOT_LOGGED;
  await recordAudit(db, p, origin, [
    {
      action: 'interaction.status',
      result: 'ok',
      clientIds: o.links.map((l) => l.clientId),
      entity: 'interaction',
      entityId: id,
      details: { fields: ['clientName', 'linkedBy', 'linkedAt'] },
    },
  ]);
  return {
    logged: true,
    interactionId: id,
    loggedBy: { user: o.summary.createdBy, at: o.summary.createdAt },
    links: o.links,
    hiddenLinkCount: o.hiddenLinkCount,
  };
}

/** The interaction with body and files, when linked to at least one client the caller may see. */
export async function getInteraction(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
): Promise<InteractionDetailDto> {
  const detail = await findInteractionDetail(db, p, id);
  if (!detail || detail.links.length === 0) {
    if (detail)
      await recordAudit(db, p, origin, [
        {
          action: 'interaction.read',
          result: 'denied',
          clientIds: detail.allClientIds,
          entity: 'interaction',
          entityId: id,
        },
      ]);
    throw new AppError('NOT_FOUND', 'No such interaction, or it is not visible to you', 'params.id');
  }
  const { allClientIds: _all, ...dto } = detail;
  await recordAudit(db, p, origin, [
    {
      action: 'interaction.read',
      result: 'ok',
      clientIds: dto.links.map((l) => l.clientId),
      entity: 'interaction',
      entityId: id,
      details: { fields: ['body', 'participants', 'attachments'] },
    },
  ]);
  return dto;
}

/** An attachment's bytes, when the interaction is visible to the caller and has a file with this hash. */
export async function downloadAttachment(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
  sha256: string,
): Promise<{ filename: string; contentType: string; content: Buffer }> {
  const clients = await linkedClients(db, p, id);
  const visible = clients.filter((c) => c.visible).map((c) => c.clientId);
  if (visible.length === 0) {
    if (clients.length > 0)
      await recordAudit(db, p, origin, [
        {
          action: 'interaction.attachment.download',
          result: 'denied',
          clientIds: clients.map((c) => c.clientId),
          entity: 'interaction',
          entityId: id,
        },
      ]);
    throw new AppError('NOT_FOUND', 'No such interaction, or it is not visible to you', 'params.id');
  }
  const file = await findAttachmentContent(db, id, sha256);
  if (!file) throw new AppError('NOT_FOUND', 'No such attachment on this interaction', 'params.sha256');
  await recordAudit(db, p, origin, [
    {
      action: 'interaction.attachment.download',
      result: 'ok',
      clientIds: visible,
      entity: 'interaction',
      entityId: id,
      details: { sha256, contentType: file.contentType, size: file.content.length },
    },
  ]);
  return file;
}

/** A visible client's history, newest first. @throws AppError NOT_FOUND (client not visible; audited) */
export async function clientHistory(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  clientId: string,
  q: { limit?: number; cursor?: string },
): Promise<ClientInteractionsDto> {
  if (!(await findVisibleClient(db, p, clientId))) {
    if (await clientExists(db, clientId))
      await recordAudit(db, p, origin, [
        { action: 'interaction.list', result: 'denied', clientIds: [clientId] },
      ]);
    throw new AppError('NOT_FOUND', 'No such client, or it is not visible to you', 'params.id');
  }
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  if (q.cursor && !cursor) throw new AppError('VALIDATION_FAILED', 'cursor is invalid', 'querystring.cursor');
  const page = await findClientHistory(db, clientId, q.limit ?? 20, cursor);
  await recordAudit(db, p, origin, [
    {
      action: 'interaction.list',
      result: 'ok',
      clientIds: [clientId],
      details: { count: page.items.length, fields: ['subject', 'participants', 'snippet'] },
    },
  ]);
  return page;
}

/**
 * Removes one client's link to an interaction: supervisors (for clients they see) and users with admin
 * rights. The last link takes the interaction and its files with it. Audited.
 * @throws AppError FORBIDDEN (not privileged), NOT_FOUND (no such link, or a supervisor's invisible client)
 */
export async function unlinkInteraction(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  interactionId: string,
  clientId: string,
): Promise<void> {
  const admin = isAdmin(p);
  if (!admin && p.role !== 'supervisor')
    throw new AppError('FORBIDDEN', 'Only a supervisor or an administrator may delete a logged item');
  if (!admin && !(await findVisibleClient(db, p, clientId)))
    throw new AppError('NOT_FOUND', 'No such client, or it is not visible to you', 'params.clientId');
  const result = await db.transaction().execute(async (trx) => {
    const r = await deleteLink(trx, interactionId, clientId);
    if (!r)
      throw new AppError('NOT_FOUND', 'This interaction is not linked to this client', 'params.clientId');
    await recordAudit(trx, p, origin, [
      {
        action: 'interaction.unlink',
        result: 'ok',
        clientIds: [clientId],
        entity: 'interaction',
        entityId: interactionId,
        details: { interactionDeleted: r.interactionDeleted, internetMessageId: r.internetMessageId },
      },
    ]);
    return r;
  });
  // Best effort after commit: a concurrent log may just have referenced a file again (then it stays).
  try {
    await deleteOrphanBlobs(db, result.sha256s);
  } catch {}
}

/**
 * Whether earlier messages of this thread were logged to clients the caller may see (same `conversationId`,
 * or the message's In-Reply-To / References), so the pane offers to log this one to the same clients. Never
 * logs anything itself. Messages linked only to hidden clients are not reported, not even counted.
 */
export async function conversationStatus(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  q: { conversationId?: string; inReplyTo?: string; references?: string },
): Promise<ConversationStatusDto> {
  const ids = [...messageIdList(q.inReplyTo), ...messageIdList(q.references)].slice(0, 200);
  const visible = await findThreadInteractions(db, p, q.conversationId?.trim() || null, ids);
  const clients = new Map<string, { id: string; displayName: string }>();
  for (const r of visible) for (const c of r.clients) clients.set(c.id, c);
  if (clients.size > 0)
    await recordAudit(db, p, origin, [
      {
        action: 'interaction.conversation',
        result: 'ok',
        clientIds: [...clients.keys()],
        details: { interactions: visible.length },
      },
    ]);
  return {
    logged: visible.length > 0,
    clients: [...clients.values()],
    interactions: visible.slice(0, 10).map((r) => ({ id: r.id, subject: r.subject, sentAt: r.sentAt })),
    hiddenCount: 0,
    autoLogReplies: false,
  };
}

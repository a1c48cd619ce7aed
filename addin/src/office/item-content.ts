import type { LogItemSourceDto } from '@crm/shared';
import type { ItemAttachmentInfo, ItemContent, ItemDetails } from './mail-host.ts';
import { OfficeError, officeAsync } from './office-host.ts';

// Reads the selected item's content for logging it to a client. Two routes (server/README.md "Sources"):
// Mailbox 1.14's `getAsFileAsync` (the whole MIME source, messages only), else the body through
// `body.getAsync` and each chosen attachment through `getAttachmentContentAsync`.

/** Outlook on the web and new Outlook allow at most 3 simultaneous async calls (shared/docs/microsoft.md). */
const MAX_CONCURRENT = 3;
let running = 0;
const waiting: (() => void)[] = [];

/** Runs `start` once fewer than 3 Office calls are in flight. */
async function limited<T>(start: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await start();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

type Address = { displayName?: string; emailAddress?: string } | null | undefined;
type OfficeItem = Record<string, unknown> & {
  itemType?: string;
  attachments?: unknown;
  body?: { getAsync: (coercion: string, cb: (r: Office.AsyncResult<string>) => void) => void };
  getAsFileAsync?: (cb: (r: Office.AsyncResult<string>) => void) => void;
  getAttachmentContentAsync?: (
    id: string,
    cb: (r: Office.AsyncResult<Office.AttachmentContent>) => void,
  ) => void;
};

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const iso = (v: unknown): string | null =>
  v instanceof Date ? v.toISOString() : typeof v === 'string' && v ? new Date(v).toISOString() : null;
const party = (a: Address) => (a ? { name: a.displayName ?? '', address: a.emailAddress ?? '' } : null);
const parties = (xs: unknown) => (Array.isArray(xs) ? (xs as Address[]).flatMap((a) => party(a) ?? []) : []);

function currentItem(): OfficeItem | null {
  return (Office.context.mailbox.item as unknown as OfficeItem | null | undefined) ?? null;
}

const isAppointment = (item: OfficeItem) => item.itemType === Office.MailboxEnums.ItemType.Appointment;

/** `item.attachments` as listed (read mode): no content is read here. */
function attachmentsOf(item: OfficeItem): ItemAttachmentInfo[] {
  const list = Array.isArray(item.attachments) ? (item.attachments as Record<string, unknown>[]) : [];
  return list.map((a) => ({
    id: String(a.id ?? ''),
    name: String(a.name ?? ''),
    size: typeof a.size === 'number' ? a.size : 0,
    contentType: String(a.contentType ?? 'application/octet-stream'),
    isInline: a.isInline === true,
    // Cloud attachments are links (format `url`): there are no bytes to copy.
    cloud: a.attachmentType === 'cloud',
  }));
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A calendar item has no internetMessageId and Office.js gives no iCalendar UID in read mode; every
 * attendee's copy shares organizer, start and subject, so their hash names the meeting for everyone.
 */
async function meetingUid(item: OfficeItem): Promise<string> {
  const organizer = ((item.organizer as Address)?.emailAddress ?? '').trim().toLowerCase();
  const subject = (str(item.subject) ?? '').replace(/\s+/g, ' ').trim();
  return `outlook-${(await sha256Hex(`${organizer}|${iso(item.start) ?? ''}|${subject}`)).slice(0, 40)}`;
}

/** What Mailbox requirement set the host supports; the MIME route needs 1.14. */
const supportsMime = () => Office.context.requirements.isSetSupported('Mailbox', '1.14');

/** The selected item's attachments and the id the server logs it under; null when nothing is selected. */
export async function readItemDetails(): Promise<ItemDetails | null> {
  const item = currentItem();
  if (!item) return null;
  const logId = isAppointment(item)
    ? `<ical-uid:${await meetingUid(item)}>`
    : (str(item.internetMessageId) ?? null);
  return { logId, attachments: attachmentsOf(item) };
}

function base64OfText(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** One attachment's bytes as Base64; an attached item (`eml`) or invitation (`iCalendar`) is text. */
async function attachmentContent(item: OfficeItem, a: ItemAttachmentInfo) {
  const content = await limited(() =>
    officeAsync<Office.AttachmentContent>(`getAttachmentContentAsync(${a.name})`, (cb) =>
      item.getAttachmentContentAsync!(a.id, cb),
    ),
  );
  let contentBase64: string;
  let contentType = a.contentType;
  switch (content.format) {
    case 'base64':
      contentBase64 = content.content;
      break;
    case 'eml':
      contentBase64 = base64OfText(content.content);
      contentType = 'message/rfc822';
      break;
    case 'iCalendar':
      contentBase64 = base64OfText(content.content);
      contentType = 'text/calendar';
      break;
    default:
      throw new OfficeError({ message: `${a.name} is a link to a cloud file, not a file` }, 'attachment');
  }
  return { name: a.name, contentType, contentBase64, isInline: a.isInline };
}

/**
 * The selected item's content for POST /interactions, with the chosen attachments (ids from
 * `readItemDetails`). Rejects with an `OfficeError` when Office fails or the selection changed meanwhile.
 */
export async function readItemContent(
  expectedLogId: string | null,
  attachmentIds: string[],
): Promise<ItemContent> {
  const item = currentItem();
  if (!item) throw new OfficeError({ message: 'No item is selected' }, 'item');
  const details = await readItemDetails();
  if (details?.logId !== expectedLogId)
    throw new OfficeError({ message: 'Another item was selected' }, 'item');
  const chosen = details.attachments.filter((a) => attachmentIds.includes(a.id));
  const appointment = isAppointment(item);

  if (!appointment && supportsMime() && typeof item.getAsFileAsync === 'function') {
    const mime = await limited(() => officeAsync<string>('getAsFileAsync', (cb) => item.getAsFileAsync!(cb)));
    return { kind: 'mime', mime, attachmentNames: chosen.map((a) => a.name) };
  }

  const body = item.body;
  if (!body) throw new OfficeError({ message: 'The item has no body' }, 'body');
  const [bodyHtml, bodyText, ...files] = await Promise.all([
    limited(() =>
      officeAsync<string>('body.getAsync(html)', (cb) => body.getAsync(Office.CoercionType.Html, cb)),
    ),
    limited(() =>
      officeAsync<string>('body.getAsync(text)', (cb) => body.getAsync(Office.CoercionType.Text, cb)),
    ),
    ...chosen.map((a) => attachmentContent(item, a)),
  ]);
  const source: LogItemSourceDto = {
    kind: appointment ? 'meeting' : 'message',
    subject: str(item.subject) ?? '',
    sentAt: iso(item.dateTimeCreated) ?? new Date().toISOString(),
    from: appointment ? party(item.organizer as Address) : party(item.from as Address),
    to: appointment ? parties(item.requiredAttendees) : parties(item.to),
    cc: appointment ? parties(item.optionalAttendees) : parties(item.cc),
    bodyHtml: bodyHtml ?? '',
    bodyText: bodyText ?? '',
    attachments: files,
  };
  if (details.logId && !appointment) source.internetMessageId = details.logId;
  if (appointment && details.logId) {
    source.meeting = {
      uid: details.logId.slice('<ical-uid:'.length, -1),
      start: iso(item.start),
      end: iso(item.end),
      location: str(item.location),
    };
  }
  return { kind: 'item', item: source };
}

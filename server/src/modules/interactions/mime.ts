import { normalizeAddress } from '@crm/shared';
import PostalMime, { type Address } from 'postal-mime';
import { type CalendarEvent, parseCalendarEvent } from './calendar.ts';

/** A participant as stored: decoded display name and normalised address (lower-case SMTP, or the raw DN). */
export type Party = { name: string; address: string };

export type ParsedAttachment = {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Content-ID without angle brackets, or null. */
  contentId: string | null;
  /** An image shown in the body (referenced by `cid:`), rather than a file attached to it. */
  inline: boolean;
};

/** `smime-signed`: multipart/signed, content kept, signature not verified; the others have no readable content. */
export type SignatureNote = 'smime-signed' | 'smime-opaque-signed' | 'smime-encrypted';

export type MeetingInfo = CalendarEvent & { method: string | null };

/** What a MIME message (Office.js `getAsFileAsync`, an .eml) gives the log. Bodies are raw, not yet cleaned. */
export type ParsedMessage = {
  internetMessageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  /** ISO 8601 from the Date header; null when missing or unreadable. */
  sentAt: string | null;
  from: Party | null;
  to: Party[];
  cc: Party[];
  html: string | null;
  text: string | null;
  attachments: ParsedAttachment[];
  meeting: MeetingInfo | null;
  signature: SignatureNote | null;
};

/**
 * A Message-ID in the one form we store and compare: trimmed, inner whitespace removed, in angle brackets
 * (Office.js and MIME both give `<...>`, some clients drop them). Null for an empty value.
 */
export function normalizeMessageId(raw: string | null | undefined): string | null {
  const v = (raw ?? '').replace(/\s+/g, '');
  if (v === '' || v === '<>') return null;
  return v.startsWith('<') && v.endsWith('>') ? v : `<${v.replace(/^<|>$/g, '')}>`;
}

/** The ids of a References / In-Reply-To header, each normalised. */
export function messageIdList(raw: string | null | undefined): string[] {
  const value = raw ?? '';
  const bracketed = value.match(/<[^<>]+>/g);
  const tokens = bracketed ?? value.split(/[\s,]+/);
  return [...new Set(tokens.map(normalizeMessageId).filter((v): v is string => v !== null))];
}

/** A participant's normalised address: the SMTP key, else the trimmed lower-cased raw value. */
export function partyOf(name: string | null | undefined, address: string | null | undefined): Party {
  const n = normalizeAddress(address);
  return {
    name: (name ?? '').trim(),
    address: n.kind === 'smtp' || n.kind === 'exchange-dn' ? n.key : (address ?? '').trim().toLowerCase(),
  };
}

function parties(list: Address[] | undefined): Party[] {
  return (list ?? []).flatMap((a) =>
    a.group ? a.group.map((m) => partyOf(m.name, m.address)) : [partyOf(a.name, a.address)],
  );
}

function headerValue(email: { headers: { key: string; value: string }[] }, key: string): string {
  return email.headers.find((h) => h.key === key)?.value ?? '';
}

const SIGNATURE_TYPES = /^application\/(x-)?pkcs7-signature$/;
const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'text/plain': 'txt',
  'text/calendar': 'ics',
  'message/rfc822': 'eml',
};

/** The name of an attachment that has none (or none left once cleaned): `attachment-2.pdf`. */
export function defaultFilename(index: number, contentType: string): string {
  return `attachment-${index + 1}.${EXTENSIONS[contentType.toLowerCase()] ?? 'bin'}`;
}

/**
 * Parses a MIME message with postal-mime: RFC 2047 encoded words in any charset the platform's TextDecoder
 * knows (KOI8-R, windows-1251...), address lists with quoted or encoded commas, a part without Content-Type
 * (text/plain, RFC 2045), inline images with their Content-ID, a meeting request's text/calendar part (read
 * as `meeting`, Windows time-zone ids resolved), and S/MIME: a multipart/signed message keeps its content and
 * is noted `smime-signed` (the signature part is not stored, nor verified); an opaque or encrypted
 * application/pkcs7-mime message has no readable body and is noted as such.
 * @throws Error when the message cannot be parsed at all (postal-mime's nesting/header limits).
 */
export async function parseMime(raw: Buffer | Uint8Array | string): Promise<ParsedMessage> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  const contentType = headerValue(email, 'content-type').toLowerCase();
  let signature: SignatureNote | null = null;
  if (/^multipart\/signed\b/.test(contentType) && /pkcs7-signature/.test(contentType))
    signature = 'smime-signed';
  else if (/^application\/(x-)?pkcs7-mime\b/.test(contentType))
    signature = /enveloped-data|authenveloped-data/.test(contentType)
      ? 'smime-encrypted'
      : 'smime-opaque-signed';

  let meeting: MeetingInfo | null = null;
  const attachments: ParsedAttachment[] = [];
  for (const [i, a] of email.attachments.entries()) {
    const content =
      typeof a.content === 'string'
        ? Buffer.from(a.content, a.encoding === 'base64' ? 'base64' : 'utf8')
        : a.content instanceof ArrayBuffer
          ? Buffer.from(a.content)
          : Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength);
    const type = a.mimeType.toLowerCase();
    if (SIGNATURE_TYPES.test(type)) {
      signature ??= 'smime-signed';
      continue;
    }
    if (signature !== null && /^application\/(x-)?pkcs7-mime$/.test(type)) continue;
    // The invitation itself (a calendar part with a METHOD, no file name) becomes the meeting, not a file.
    if (type === 'text/calendar' && a.method && !a.filename && !meeting) {
      const event = parseCalendarEvent(content.toString('utf8'));
      if (event) {
        meeting = { ...event, method: a.method };
        continue;
      }
    }
    const contentId = a.contentId ? a.contentId.replace(/^<|>$/g, '').trim() || null : null;
    attachments.push({
      filename: a.filename?.trim() || defaultFilename(i, type),
      contentType: type,
      content,
      contentId,
      inline: Boolean(contentId && type.startsWith('image/') && (a.related || a.disposition === 'inline')),
    });
  }
  const date = email.date ? new Date(email.date) : null;
  return {
    internetMessageId: normalizeMessageId(email.messageId),
    inReplyTo: messageIdList(email.inReplyTo)[0] ?? null,
    references: messageIdList(email.references),
    subject: (email.subject ?? '').replace(/\s+/g, ' ').trim(),
    sentAt: date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
    from: email.from ? (parties([email.from])[0] ?? null) : null,
    to: parties(email.to),
    cc: parties(email.cc),
    html: email.html ?? null,
    text: email.text ?? null,
    attachments,
    meeting,
    signature,
  };
}

import { createHash } from 'node:crypto';
import { htmlToText } from './email-body.ts';

/**
 * What a logged message says, as one hash (stored in `interactions.content_fingerprint` when first logged).
 * Someone who knows only a Message-ID cannot produce it; someone who has the message can, from either
 * source (MIME or Office.js fields), whatever the formatting:
 *
 *   v1 = sha256("crm-fp-v1\n" + fold(subject) + "\n" + fold(text of the kept body))
 *
 * where the kept body is the new part as stored (quoted history cut, HTML sanitised), its text read from the
 * HTML when there is HTML (both sources carry the HTML; the plain-text alternative differs between mail
 * programs), else the plain text; and fold() = NFKC, lower case, letters and digits only (line breaks,
 * spacing, punctuation and bullets differ between an HTML and a text rendering of the same message).
 *
 * Files are not in the hash, as users choose different files of one message: logging matches when the
 * fingerprints are equal and the submitted message carries every file already stored (by SHA-256), so nobody
 * gets at a file they do not hold.
 */
export function contentFingerprint(c: {
  subject: string;
  bodyHtml: string | null;
  bodyText: string;
}): string {
  const text = c.bodyHtml ? htmlToText(c.bodyHtml) : c.bodyText;
  return createHash('sha256')
    .update(`crm-fp-v1\n${fold(c.subject)}\n${fold(text)}`)
    .digest('hex');
}

function fold(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

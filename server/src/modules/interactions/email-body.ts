import { DomUtils, parseDocument } from 'htmlparser2';
import sanitizeHtml from 'sanitize-html';

// What a logged email keeps of its body: the new part only (quoted history cut), as sanitised HTML and text.

type Document = ReturnType<typeof parseDocument>;
type Node = Document['children'][number];
type Element = Parameters<typeof DomUtils.getName>[0];

/** A forward's quoted part is the content being logged: its history is kept (`FW:`, `Fwd:`, `Пересл:`...). */
export function isForward(subject: string): boolean {
  return /^\s*(fw|fwd|пересл|переслать|tr|wg)\s*:/i.test(subject);
}

// Header lines of a quoted message block in Outlook (EN/RU/DE/FR): "From: ..." then within a few lines "Sent: ...".
const FROM_LINE = /^\s*\*?(from|от|von|de)\s*:\*?\s/i;
const SENT_LINE = /^\s*\*?(sent|date|отправлено|дата|gesendet|envoyé)\s*:\*?\s/i;
const SEPARATOR_LINE =
  /^\s*-{2,}\s*(original message|исходное сообщение|ursprüngliche nachricht|message d'origine)\s*-{2,}\s*$/i;
// Gmail/Apple/Thunderbird attribution: "On Mon, 1 Dec 2026 at 10:00, Ivan <i@x.ru> wrote:",
// "1 дек. 2026 г., в 10:00, Иван <i@x.ru> написал(а):" (may wrap onto a second line).
const ATTRIBUTION = /^\s*(on\s.{0,300}\swrote|.{0,300}(^|\s)(написал|написала|писал|пишет)(\(а\))?)\s*:\s*$/i;

/**
 * Cuts the quoted history off a plain-text reply: from the first Outlook header block ("From: ... Sent: ...",
 * "От: ... Отправлено: ..."), "-----Original Message-----"/"-----Исходное сообщение-----", an Outlook
 * underscore rule followed by such a block, or a Gmail-style "On ... wrote:" line followed by quoted lines;
 * then drops every remaining line quoted with `>` (inline answers between quotes stay).
 * @returns the new part and whether anything was cut.
 */
export function stripQuotedText(text: string): { text: string; stripped: boolean } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const quoted = (l: string | undefined) => /^\s*>/.test(l ?? '');
  /** The next non-empty line after `i`. */
  const nextText = (i: number) => lines.slice(i + 1).find((l) => l.trim() !== '');
  const attribution = new Set<number>();
  let cut = lines.length;
  for (let i = 0; i < lines.length && cut === lines.length; i++) {
    const line = lines[i] ?? '';
    const next = lines.slice(i + 1, i + 6);
    if (SEPARATOR_LINE.test(line)) cut = i;
    else if (FROM_LINE.test(line) && next.some((l) => SENT_LINE.test(l))) cut = i;
    else if (/^\s*_{10,}\s*$/.test(line) && next.some((l) => FROM_LINE.test(l))) cut = i;
    else if (/:\s*$/.test(line) && quoted(nextText(i))) {
      // "On ... wrote:", "пн, 30 нояб. 2026 г. в 10:00, Name <a@b>:" above `>` lines: drop the line only, so
      // answers written between the quotes further down stay.
      attribution.add(i);
    } else if (
      /\S/.test(line) &&
      /:\s*$/.test(lines[i + 1] ?? '') &&
      quoted(nextText(i + 1)) &&
      ATTRIBUTION.test(`${line} ${lines[i + 1]}`)
    ) {
      attribution.add(i);
      attribution.add(i + 1);
      i++;
    } else if (ATTRIBUTION.test(line)) cut = i; // an attribution above unmarked quoted text
  }
  const kept = lines.slice(0, cut).filter((_l, i) => !attribution.has(i));
  const unquoted = kept.filter((l) => !quoted(l));
  const stripped = cut < lines.length || attribution.size > 0 || unquoted.length < kept.length;
  const result = unquoted
    .join('\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text: result, stripped };
}

// Outlook on the web / new Outlook (`mail-editor-reference-message-container`), Outlook for Mac.
const CUT_ID =
  /^(x_)*(appendonsend|divRplyFwdMsg|mail-editor-reference-message-container|OLK_SRC_BODY_SECTION)$/i;
const QUOTE_HEADER_TEXT =
  /^\s*(((from|от|von|de)\s*:[\s\S]{0,400}?(sent|отправлено|gesendet|envoyé|date|дата)\s*:)|-{2,}\s*(original message|исходное сообщение)\s*-{2,})/i;

function classes(el: Element): string[] {
  return (DomUtils.getAttributeValue(el, 'class') ?? '').split(/\s+/).filter(Boolean);
}

/** Where the quoted history starts, in document order: the first marker element found (pre-order). */
function findCutPoint(nodes: Node[]): Element | null {
  for (const node of nodes) {
    if (!DomUtils.isTag(node)) continue;
    const id = DomUtils.getAttributeValue(node, 'id') ?? '';
    const cls = classes(node);
    if (CUT_ID.test(id)) return node; // Outlook / OWA (OWA prefixes quoted ids with x_)
    if (cls.some((c) => /^(x_)*(gmail_quote(_container)?|yahoo_quoted)$/.test(c))) return node; // Gmail, Yahoo
    if (node.name === 'div' || node.name === 'p') {
      const text = DomUtils.textContent(node);
      // Outlook desktop (Word HTML): a bordered div whose text starts "From: ... Sent: ...".
      if (QUOTE_HEADER_TEXT.test(text)) return node;
    }
    const inner = findCutPoint(node.children);
    if (inner) return inner;
  }
  return null;
}

/** Removes `node` and everything after it in document order. */
function cutFrom(node: Node): void {
  let current: Node | null = node;
  while (current?.parent) {
    while (current.next) DomUtils.removeElement(current.next);
    current = current.parent.type === 'root' ? null : (current.parent as Node);
  }
  DomUtils.removeElement(node);
}

/** Drops trailing separators left before the cut: <hr>, <br>, whitespace, empty paragraphs. */
function trimTail(parent: { children: Node[] }): void {
  for (;;) {
    const last = parent.children[parent.children.length - 1];
    if (!last) return;
    if (DomUtils.isText(last) && last.data.trim() === '') DomUtils.removeElement(last);
    else if (DomUtils.isTag(last) && ['hr', 'br'].includes(last.name)) DomUtils.removeElement(last);
    else if (DomUtils.isTag(last) && DomUtils.textContent(last).trim() === '') {
      // An image says something even without text.
      if (last.name === 'img' || DomUtils.findOne((e) => e.name === 'img', last.children)) return;
      DomUtils.removeElement(last);
    } else if (DomUtils.isTag(last)) {
      trimTail(last);
      return;
    } else return;
  }
}

/**
 * Cuts the quoted history off an HTML reply: Outlook's `div#appendonsend` / `div#divRplyFwdMsg` (and OWA's
 * `x_` copies), Gmail's `.gmail_quote`, an Outlook desktop "From: ... Sent: ..." header block, and everything
 * after the first of them; `blockquote[type=cite]` (Apple Mail, Thunderbird) and its `.moz-cite-prefix` line
 * are removed where they are, so inline answers stay. Returns raw (unsanitised) HTML.
 */
export function stripQuotedHtml(html: string): { html: string; stripped: boolean } {
  const doc = parseDocument(html);
  let stripped = false;
  const cut = findCutPoint(doc.children);
  if (cut) {
    cutFrom(cut);
    stripped = true;
  }
  const cites = DomUtils.findAll(
    (e) =>
      (e.name === 'blockquote' && (DomUtils.getAttributeValue(e, 'type') ?? '').toLowerCase() === 'cite') ||
      classes(e).includes('moz-cite-prefix'),
    doc.children,
  );
  for (const el of cites) DomUtils.removeElement(el);
  if (cites.length > 0) stripped = true;
  const body = DomUtils.findOne((e) => e.name === 'body', doc.children) ?? doc;
  if (stripped) trimTail(body);
  return { html: DomUtils.getOuterHTML(doc, { decodeEntities: true }), stripped };
}

const ALLOWED_STYLE = {
  '*': {
    color: [/^#[0-9a-f]{3,8}$/i, /^rgb\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\)$/i, /^[a-z]+$/i],
    'background-color': [/^#[0-9a-f]{3,8}$/i, /^rgb\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\)$/i, /^[a-z]+$/i],
    'font-weight': [/^(bold|normal|\d{3})$/],
    'font-style': [/^(italic|normal)$/],
    'text-decoration': [/^(underline|line-through|none)$/],
    'text-align': [/^(left|right|center|justify)$/],
  },
};

/**
 * Sanitises email HTML for display in the pane: an allowlist of formatting tags and attributes; no script,
 * style, head, form, iframe or object content; no event handlers; links http(s)/mailto/tel only and opened
 * with `rel="noopener noreferrer"`; images only from `cid:` (inline parts, resolved by the pane from the
 * attachment list) or `data:image/*` — remote images (trackers) are dropped; inline styles limited to colour,
 * weight, style, decoration and alignment.
 */
export function sanitizeEmailHtml(html: string): string {
  const clean = sanitizeHtml(html, {
    allowedTags: [
      ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'body' && t !== 'html'),
      'img',
      'font',
      'center',
    ],
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'xml', 'template'],
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'target'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      td: ['colspan', 'rowspan', 'align', 'valign'],
      th: ['colspan', 'rowspan', 'align', 'valign'],
      font: ['color'],
      '*': ['style', 'dir', 'lang'],
    },
    allowedStyles: ALLOWED_STYLE,
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['cid', 'data'] },
    allowProtocolRelative: false,
    transformTags: {
      a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer', target: '_blank' }),
    },
    exclusiveFilter: (frame) =>
      frame.tag === 'img' &&
      !(
        /^cid:/i.test(frame.attribs.src ?? '') ||
        /^data:image\/(png|jpe?g|gif|webp);/i.test(frame.attribs.src ?? '')
      ),
  });
  return clean
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const BLOCK = new Set([
  'p',
  'div',
  'br',
  'tr',
  'li',
  'ul',
  'ol',
  'table',
  'blockquote',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'pre',
]);

/** Plain text of an HTML body: block elements and <br> become line breaks, entities decoded, no markup. */
export function htmlToText(html: string): string {
  const doc = parseDocument(html);
  const out: string[] = [];
  const walk = (nodes: Node[]) => {
    for (const n of nodes) {
      if (DomUtils.isText(n)) out.push(n.data.replace(/\s+/g, ' '));
      else if (DomUtils.isTag(n)) {
        if (['script', 'style', 'head', 'title', 'xml', 'template'].includes(n.name)) continue;
        const block = BLOCK.has(n.name);
        if (block) out.push('\n');
        if (n.name === 'li') out.push('- ');
        if (n.name === 'td' || n.name === 'th') out.push(' ');
        walk(n.children);
        if (block && n.name !== 'br') out.push('\n');
      }
    }
  };
  walk(doc.children);
  return out
    .join('')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n[ \t]+/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** `cid:` references of an HTML body (without `cid:`, as the Content-ID without angle brackets). */
export function referencedContentIds(html: string): Set<string> {
  const ids = new Set<string>();
  for (const m of html.matchAll(/\bsrc\s*=\s*["']?cid:([^"'\s>]+)/gi)) {
    try {
      ids.add(decodeURIComponent(m[1]!).toLowerCase());
    } catch {
      ids.add(m[1]!.toLowerCase());
    }
  }
  return ids;
}

export type EmailBody = {
  /** Sanitised HTML of the new part, or null when the message has no HTML body. */
  html: string | null;
  /** Plain text of the new part. */
  text: string;
  /** Whether quoted history was cut off (never for forwards). */
  quotedHistoryStripped: boolean;
};

/**
 * The body a logged interaction keeps: text from the text part (or the HTML when there is none), HTML
 * sanitised; quoted history cut from both unless the subject says it is a forward.
 */
export function prepareBody(input: {
  html?: string | null;
  text?: string | null;
  subject: string;
}): EmailBody {
  const keepHistory = isForward(input.subject);
  let html: string | null = null;
  let stripped = false;
  if (input.html?.trim()) {
    const h = keepHistory ? { html: input.html, stripped: false } : stripQuotedHtml(input.html);
    html = sanitizeEmailHtml(h.html);
    stripped ||= h.stripped;
  }
  let text: string;
  if (input.text?.trim()) {
    const t = keepHistory ? { text: input.text.trim(), stripped: false } : stripQuotedText(input.text);
    text = t.text;
    stripped ||= t.stripped;
  } else text = html ? htmlToText(html) : '';
  return { html, text, quotedHistoryStripped: stripped };
}

import { readItemContent, readItemDetails } from './item-content.ts';
import {
  type AddressDetails,
  type MailHost,
  type MailItemContext,
  type OfficeLikeItem,
  type ThemeKind,
  toMailItemContext,
} from './mail-host.ts';

/** An Office.js call that reported `AsyncResultStatus.Failed`; `code` is Office's error code (e.g. 9017). */
export class OfficeError extends Error {
  readonly code: number | null;
  constructor(error: { code?: number; message?: string; name?: string } | undefined, what: string) {
    super(`${what}: ${error?.message || error?.name || 'Office reported a failure'}`);
    this.name = 'OfficeError';
    this.code = typeof error?.code === 'number' ? error.code : null;
  }
}

/**
 * Wraps an Office callback API in a promise that rejects on `AsyncResultStatus.Failed` (style.md: neither
 * throw inside the callback nor resolve anyway).
 */
export function officeAsync<T>(
  what: string,
  start: (callback: (result: Office.AsyncResult<T>) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      start((result) => {
        if (result.status === Office.AsyncResultStatus.Failed) reject(new OfficeError(result.error, what));
        else resolve(result.value);
      });
    } catch (err) {
      reject(err);
    }
  });
}

type AsyncGettable<T> = { getAsync: (callback: (result: Office.AsyncResult<T>) => void) => void };

const isGettable = <T>(v: unknown): v is AsyncGettable<T> =>
  typeof v === 'object' && v !== null && typeof (v as { getAsync?: unknown }).getAsync === 'function';

/** A read-mode property is the value itself; in compose mode it is an object with `getAsync`. */
async function readField<T>(value: unknown, what: string): Promise<T | null> {
  if (isGettable<T>(value)) return officeAsync<T>(what, (cb) => value.getAsync(cb));
  return (value ?? null) as T | null;
}

const optionalString = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Reads the selected item into a `MailItemContext`; null when nothing is selected (a pinned pane may see
 * `item === null`). Messages: from, to, cc; appointments: organizer, requiredAttendees, optionalAttendees
 * (arrays in read mode). Rejects when a compose-mode `getAsync` fails.
 */
export async function readCurrentItem(): Promise<MailItemContext | null> {
  const mailbox = Office.context.mailbox;
  const item = mailbox.item as unknown as Record<string, unknown> | null | undefined;
  if (!item) return null;
  const appointment = item.itemType === Office.MailboxEnums.ItemType.Appointment;
  // Sequential on purpose: Outlook on the web allows at most 3 simultaneous async calls (microsoft.md).
  const fields: OfficeLikeItem = {
    itemType: appointment ? 'appointment' : 'message',
    itemId: optionalString(item.itemId),
    internetMessageId: optionalString(item.internetMessageId),
    conversationId: optionalString(item.conversationId),
    subject: await readField<string>(item.subject, 'subject'),
  };
  if (appointment) {
    fields.organizer = await readField<AddressDetails>(item.organizer, 'organizer');
    fields.requiredAttendees = await readField<AddressDetails[]>(item.requiredAttendees, 'requiredAttendees');
    fields.optionalAttendees = await readField<AddressDetails[]>(item.optionalAttendees, 'optionalAttendees');
  } else {
    fields.from = await readField<AddressDetails>(item.from, 'from');
    fields.to = await readField<AddressDetails[]>(item.to, 'to');
    fields.cc = await readField<AddressDetails[]>(item.cc, 'cc');
  }
  const own = mailbox.userProfile?.emailAddress;
  return toMailItemContext(fields, own ? [own] : []);
}

/** Identity of the selected item without reading it all: item id, else internetMessageId; '' when none. */
function selectedItemIdentity(): string {
  const item = Office.context.mailbox.item as unknown as Record<string, unknown> | null | undefined;
  if (!item) return '';
  return (
    optionalString(item.itemId) ??
    optionalString(item.internetMessageId) ??
    optionalString(item.subject) ??
    '?'
  );
}

/**
 * Subscribes to `ItemChanged` (pinned pane). Outlook does not always fire it — items revisited in the
 * same conversation (office-js#1096, #5965) — so the selection is also compared when the pane regains
 * focus or becomes visible. Resolves with an unsubscribe function; rejects when Office refuses the handler.
 */
export async function onItemChanged(
  handler: (item: MailItemContext | null) => void,
  onError: (err: unknown) => void = () => {},
): Promise<() => void> {
  let lastSeen = selectedItemIdentity();
  let active = true;
  const deliver = () => {
    lastSeen = selectedItemIdentity();
    readCurrentItem().then((item) => active && handler(item), onError);
  };
  const recheck = () => {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    if (selectedItemIdentity() !== lastSeen) deliver();
  };

  await officeAsync<void>('addHandlerAsync(ItemChanged)', (cb) =>
    Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, deliver, cb),
  );
  if (typeof window !== 'undefined') window.addEventListener('focus', recheck);
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', recheck);
  return () => {
    active = false;
    if (typeof window !== 'undefined') window.removeEventListener('focus', recheck);
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', recheck);
    Office.context.mailbox.removeHandlerAsync(Office.EventType.ItemChanged, () => {});
  };
}

/** Perceived lightness of a `#rrggbb` colour, 0..1. */
function lightness(hex: string): number | null {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) return null;
  const [r, g, b] = [m[1], m[2], m[3]].map((x) => Number.parseInt(x ?? '0', 16) / 255) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The Office theme as light/dark, from `officeTheme.bodyBackgroundColor`; null when Office gives none. */
export function officeThemeKind(): ThemeKind | null {
  const theme = (Office.context as { officeTheme?: Office.OfficeTheme }).officeTheme;
  const l = theme?.bodyBackgroundColor ? lightness(theme.bodyBackgroundColor) : null;
  if (l === null) return null;
  return l < 0.5 ? 'dark' : 'light';
}

/**
 * Waits for Office.js. Resolves true inside Outlook; false outside Office (no `Office` global because the
 * CDN script did not load, or `onReady` reporting no host) or when Office stays silent for `timeoutMs`.
 */
export async function waitForOutlook(timeoutMs = 1500): Promise<boolean> {
  if (typeof Office === 'undefined' || typeof Office.onReady !== 'function') return false;
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs));
  const info = await Promise.race([Office.onReady(), timeout]).catch(() => null);
  return Boolean(info && info.host === Office.HostType.Outlook && Office.context?.mailbox);
}

/** The Outlook host for the pane; call after `waitForOutlook()` resolved true. */
export function createOfficeHost(): MailHost {
  return {
    kind: 'office',
    readCurrentItem,
    onItemChanged,
    readItemDetails,
    readItemContent,
    displayNewAppointment: (a) =>
      Office.context.mailbox.displayNewAppointmentForm({
        subject: a.subject,
        start: a.start,
        end: a.end,
        body: a.body,
        requiredAttendees: [],
      }),
    displayLanguage: Office.context.displayLanguage || 'en-US',
    theme: officeThemeKind(),
  };
}

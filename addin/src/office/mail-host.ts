import type { LogItemSourceDto, ParticipantDto } from '@crm/shared';

/** An address as Office.js gives it (`EmailAddressDetails`): raw, possibly empty, a UPN or a LegacyExchangeDN. */
export type AddressDetails = { displayName: string; emailAddress: string };

/**
 * The open Outlook item reduced to what the pane needs. Addresses stay raw: the server normalises them
 * (case, whitespace, IDN, LegacyExchangeDN; senders.json).
 */
export type MailItemContext = {
  itemType: 'message' | 'appointment';
  /** EWS item id in read mode; null when the host does not give one. */
  itemId: string | null;
  internetMessageId: string | null;
  conversationId: string | null;
  subject: string;
  participants: ParticipantDto[];
  /** The user's own address(es): `Office.context.mailbox.userProfile.emailAddress` (may be a UPN, office-js#5144). */
  userAddresses: string[];
};

export type ThemeKind = 'light' | 'dark';

/** What "Add to my calendar" prefills: no attendees, so nobody is invited. */
export type NewAppointment = { subject: string; start: Date; end: Date; body: string };

/** One entry of `item.attachments` (read mode), without its content; `size` in bytes. */
export type ItemAttachmentInfo = {
  id: string;
  name: string;
  size: number;
  contentType: string;
  isInline: boolean;
  /** A link to a OneDrive/SharePoint file: nothing to copy. */
  cloud: boolean;
};

export type ItemDetails = {
  /**
   * The id the CRM logs the item under (GET /interactions/status): the internetMessageId, or
   * `<ical-uid:...>` for a calendar item; null when the host gives none (a draft).
   */
  logId: string | null;
  attachments: ItemAttachmentInfo[];
};

/** The item's content for POST /interactions: the MIME source (`source.mime`) or its fields (`source.item`). */
export type ItemContent =
  | { kind: 'mime'; mime: string; attachmentNames: string[] }
  | { kind: 'item'; item: LogItemSourceDto };

/**
 * What the pane needs from its host. The Outlook adapter (office-host.ts) is the only code that touches
 * `Office.*`; the preview host (preview-host.ts) feeds the same interface from the demo inbox.
 */
export type MailHost = {
  kind: 'office' | 'preview';
  /** Resolves with the selected item, null when nothing is selected; rejects on an Office failure. */
  readCurrentItem(): Promise<MailItemContext | null>;
  /**
   * Calls `handler` with the newly selected item (null: nothing selected) whenever the selection changes.
   * Resolves with an unsubscribe function once the host accepted the registration.
   */
  onItemChanged(
    handler: (item: MailItemContext | null) => void,
    onError?: (err: unknown) => void,
  ): Promise<() => void>;
  /** The selected item's attachments and logging id; null when nothing is selected. */
  readItemDetails(): Promise<ItemDetails | null>;
  /**
   * The selected item's content with the chosen attachments (ids from `readItemDetails`); rejects when the
   * host fails or another item was selected since (`expectedLogId` differs).
   */
  readItemContent(expectedLogId: string | null, attachmentIds: string[]): Promise<ItemContent>;
  /**
   * Opens Outlook's new-appointment form prefilled (Office.js `displayNewAppointmentForm`): "Add to my
   * calendar" for a single task. Absent in preview mode, where there is no calendar to add to.
   */
  displayNewAppointment?: (a: NewAppointment) => void;
  /** BCP 47 tag of the host's UI language, e.g. `ru-RU`. */
  displayLanguage: string;
  /** The host's theme, or null when the host says nothing (then prefers-color-scheme decides). */
  theme: ThemeKind | null;
};

/** The fields of an Office.js read-mode item (message or appointment) that the pane reads. */
export type OfficeLikeItem = {
  itemType: string;
  itemId?: string | null;
  internetMessageId?: string | null;
  conversationId?: string | null;
  subject?: string | null;
  from?: AddressDetails | null;
  to?: AddressDetails[] | null;
  cc?: AddressDetails[] | null;
  organizer?: AddressDetails | null;
  requiredAttendees?: AddressDetails[] | null;
  optionalAttendees?: AddressDetails[] | null;
};

function participant(role: ParticipantDto['role'], a: AddressDetails | null | undefined): ParticipantDto[] {
  if (!a) return [];
  return [{ role, displayName: a.displayName ?? '', emailAddress: a.emailAddress ?? '' }];
}

const many = (role: ParticipantDto['role'], xs: AddressDetails[] | null | undefined) =>
  (xs ?? []).flatMap((a) => participant(role, a));

/** Maps a read-mode item (Office.js shape, or a demo inbox item) to the pane's `MailItemContext`. */
export function toMailItemContext(item: OfficeLikeItem, userAddresses: string[]): MailItemContext {
  const appointment = item.itemType === 'appointment';
  return {
    itemType: appointment ? 'appointment' : 'message',
    itemId: item.itemId ?? null,
    internetMessageId: item.internetMessageId || null,
    conversationId: item.conversationId ?? null,
    subject: item.subject ?? '',
    participants: appointment
      ? [
          ...participant('organizer', item.organizer),
          ...many('requiredAttendee', item.requiredAttendees),
          ...many('optionalAttendee', item.optionalAttendees),
        ]
      : [...participant('from', item.from), ...many('to', item.to), ...many('cc', item.cc)],
    userAddresses: userAddresses.filter((a) => a.trim() !== ''),
  };
}

/**
 * A stable key for an item, for caches and form drafts: the item id when there is one, else the
 * internetMessageId, else the participants (a message without ids still gets its own drafts).
 */
export function itemKey(item: MailItemContext): string {
  if (item.itemId) return `id:${item.itemId}`;
  if (item.internetMessageId) return `imid:${item.internetMessageId}`;
  return `p:${item.itemType}:${item.subject}:${item.participants.map((p) => `${p.role}=${p.emailAddress}`).join(',')}`;
}

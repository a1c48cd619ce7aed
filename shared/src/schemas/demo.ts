import { type Static, Type } from 'typebox';

const Address = Type.Object({ displayName: Type.String(), emailAddress: Type.String() });

/**
 * One item of the demo inbox (preview mode outside Outlook, and the Office host emulator in tests),
 * shaped like what Office.js gives for `Office.context.mailbox.item`: a message with from/to/cc, or an
 * appointment with organizer and required/optional attendees.
 */
export const DemoItem = Type.Object({
  id: Type.String(),
  itemType: Type.Union([Type.Literal('message'), Type.Literal('appointment')]),
  subject: Type.String(),
  internetMessageId: Type.String(),
  conversationId: Type.String(),
  dateTimeCreated: Type.String({ format: 'date-time' }),
  from: Type.Union([Address, Type.Null()]),
  to: Type.Array(Address),
  cc: Type.Array(Address),
  organizer: Type.Union([Address, Type.Null()]),
  requiredAttendees: Type.Array(Address),
  optionalAttendees: Type.Array(Address),
  bodyPreview: Type.String(),
  /** Which senders.json case this item exercises, if any. */
  caseId: Type.Union([Type.String(), Type.Null()]),
  // Content for logging (the Office host emulator's body.getAsync, attachments and getAsFileAsync).
  /** The body as `body.getAsync('html')` gives it; absent: built from `bodyPreview`. */
  bodyHtml: Type.Optional(Type.String()),
  /** `item.attachments` with the content `getAttachmentContentAsync` returns (Base64). */
  attachments: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        size: Type.Integer({ minimum: 0 }),
        contentType: Type.String(),
        isInline: Type.Boolean(),
        contentBase64: Type.Optional(Type.String()),
      }),
    ),
  ),
  /** Base64 of the MIME source, as `getAsFileAsync` (Mailbox 1.14) gives it. */
  mime: Type.Optional(Type.String()),
  /** An appointment's start, end and location (ISO date-times). */
  start: Type.Optional(Type.String({ format: 'date-time' })),
  end: Type.Optional(Type.String({ format: 'date-time' })),
  location: Type.Optional(Type.String()),
});
export type DemoItemDto = Static<typeof DemoItem>;

/** GET /api/v1/dev/inbox?user=<email>: the demo mailbox of a demo user (dev mode only). */
export const DemoInbox = Type.Object({ mailbox: Type.String(), items: Type.Array(DemoItem) });
export type DemoInboxDto = Static<typeof DemoInbox>;

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
});
export type DemoItemDto = Static<typeof DemoItem>;

/** GET /api/v1/dev/inbox?user=<email>: the demo mailbox of a demo user (dev mode only). */
export const DemoInbox = Type.Object({ mailbox: Type.String(), items: Type.Array(DemoItem) });
export type DemoInboxDto = Static<typeof DemoInbox>;

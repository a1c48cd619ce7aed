import { type Static, Type } from 'typebox';
import { ClientCard } from './clients.ts';
import { UserRef } from './common.ts';

export const PARTICIPANT_ROLES = [
  'from',
  'to',
  'cc',
  'organizer',
  'requiredAttendee',
  'optionalAttendee',
] as const;

/** One address as Office.js presents it (`EmailAddressDetails`), raw: the server normalises. */
export const Participant = Type.Object(
  {
    role: Type.Enum(PARTICIPANT_ROLES),
    displayName: Type.String({ maxLength: 512 }),
    emailAddress: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type ParticipantDto = Static<typeof Participant>;

/**
 * POST /api/v1/mail-context body: the open item's participants and the user's own addresses
 * (`Office.context.mailbox.userProfile.emailAddress`), in the body so addresses stay out of URLs and logs.
 */
export const MailContextRequest = Type.Object(
  {
    itemType: Type.Union([Type.Literal('message'), Type.Literal('appointment')]),
    internetMessageId: Type.Optional(Type.String({ maxLength: 1024 })),
    participants: Type.Array(Participant, { maxItems: 500 }),
    userAddresses: Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type MailContextRequestDto = Static<typeof MailContextRequest>;

/**
 * What one participant is to the bank:
 * - `client`: one or more visible clients use this address (several: the RM picks);
 * - `colleague`: a bank user (by address, alias or LegacyExchangeDN);
 * - `restricted`: a client exists whom this user may not open — no data is revealed;
 * - `unknown`: nothing matched (search and create a prospect are offered).
 */
export const ResolvedParticipant = Type.Object({
  displayName: Type.String(),
  emailAddress: Type.String({ description: 'Normalised SMTP address, or the raw value when not SMTP' }),
  addressKind: Type.Union([Type.Literal('smtp'), Type.Literal('exchange-dn'), Type.Literal('invalid')]),
  roles: Type.Array(Type.String()),
  resolution: Type.Union([
    Type.Literal('client'),
    Type.Literal('colleague'),
    Type.Literal('restricted'),
    Type.Literal('unknown'),
  ]),
  clients: Type.Array(ClientCard),
  colleague: Type.Union([Type.Intersect([UserRef, Type.Object({ email: Type.String() })]), Type.Null()]),
});
export type ResolvedParticipantDto = Static<typeof ResolvedParticipant>;

export const MailContextResponse = Type.Object({
  participants: Type.Array(ResolvedParticipant),
});
export type MailContextResponseDto = Static<typeof MailContextResponse>;

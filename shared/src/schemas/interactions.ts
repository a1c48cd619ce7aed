import { type Static, Type } from 'typebox';
import { CLIENT_LANGUAGES, ClientKind, ClientSummary } from './clients.ts';
import { DateTime, Id, NonBlankText, UserRef } from './common.ts';

// Emails and meetings logged to clients' history, and unknown senders linked to a client or created as
// prospects. Routes: server/README.md, "Interactions".

export const INTERACTION_KINDS = ['message', 'meeting'] as const;
/** `in`: from outside the bank; `out`: sent by a bank user. */
export const INTERACTION_DIRECTIONS = ['in', 'out'] as const;
export const SIGNATURE_NOTES = ['smime-signed', 'smime-opaque-signed', 'smime-encrypted'] as const;

/**
 * Limits of a logged message, the same for both sources: the `item` schema below refuses more, and the server
 * holds a parsed MIME message to them (text cut with a note, too many files refused). Message-ID and UID are
 * in UTF-8 bytes: the stored key must fit PostgreSQL's unique index.
 */
export const INTERACTION_LIMITS = {
  subject: 998,
  partyName: 512,
  address: 1024,
  /** Recipients per list (To, Cc). */
  parties: 500,
  attachments: 100,
  filename: 255,
  contentType: 255,
  contentId: 512,
  messageIdBytes: 998,
  uidBytes: 1024,
  location: 1024,
  timeZone: 128,
  references: 200,
} as const;
const L = INTERACTION_LIMITS;

/** A participant: display name (may be '') and address (lower-case SMTP, or the raw value when not SMTP). */
export const EmailParty = Type.Object(
  {
    name: Type.String({ maxLength: L.partyName }),
    address: Type.String({ maxLength: L.address }),
  },
  { additionalProperties: false },
);
export type EmailPartyDto = Static<typeof EmailParty>;

/**
 * One attachment as Office.js gives it (`getAttachmentContentAsync`, Base64); only those the user chose. The
 * name is stored without path components, control and bidi characters.
 */
export const ItemAttachment = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: L.filename }),
    contentType: Type.String({ maxLength: L.contentType }),
    contentBase64: Type.String(),
    contentId: Type.Optional(Type.String({ maxLength: L.contentId })),
    isInline: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/**
 * A meeting's time and place (Office.js appointment `start`/`end`/`location`, or a request's iCalendar).
 * `start`/`end` must fall in 1900-2199 in UTC too (`1900-01-01T00:00:00+14:00` is 1899: refused).
 */
export const MeetingDetails = Type.Object(
  {
    uid: Type.Optional(Type.Union([Type.String({ maxLength: L.uidBytes }), Type.Null()])),
    start: Type.Union([DateTime, Type.Null()]),
    end: Type.Union([DateTime, Type.Null()]),
    location: Type.Optional(Type.Union([Type.String({ maxLength: L.location }), Type.Null()])),
    /** The sender's time-zone id as written (Windows or IANA), e.g. `Russian Standard Time`. */
    timeZone: Type.Optional(Type.Union([Type.String({ maxLength: L.timeZone }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type MeetingDetailsDto = Static<typeof MeetingDetails>;

/**
 * The item read field by field through Office.js, when `getAsFileAsync` is not available (older Outlook,
 * appointments): `body.getAsync` HTML and/or text, attachments' content.
 */
export const LogItemSource = Type.Object(
  {
    kind: Type.Optional(Type.Enum(INTERACTION_KINDS)),
    /** Office.js `item.internetMessageId`; for a calendar item without one, give `meeting.uid`. */
    /** At most 998 UTF-8 bytes (checked by the server). */
    internetMessageId: Type.Optional(Type.String({ minLength: 3, maxLength: L.messageIdBytes })),
    inReplyTo: Type.Optional(Type.String({ maxLength: L.messageIdBytes })),
    references: Type.Optional(
      Type.Array(Type.String({ maxLength: L.messageIdBytes }), { maxItems: L.references }),
    ),
    subject: Type.String({ maxLength: L.subject }),
    from: Type.Union([EmailParty, Type.Null()]),
    to: Type.Array(EmailParty, { maxItems: L.parties }),
    cc: Type.Optional(Type.Array(EmailParty, { maxItems: L.parties })),
    /** 1900-2199 in UTC too. */
    sentAt: DateTime,
    bodyHtml: Type.Optional(Type.String()),
    bodyText: Type.Optional(Type.String()),
    meeting: Type.Optional(MeetingDetails),
    attachments: Type.Optional(Type.Array(ItemAttachment, { maxItems: L.attachments })),
  },
  { additionalProperties: false },
);
export type LogItemSourceDto = Static<typeof LogItemSource>;

/**
 * POST /api/v1/interactions: log an email or meeting to a visible client. `source` carries exactly one of
 * `mime` (Base64 of the MIME source from `getAsFileAsync`) or `item` (fields from Office.js).
 */
export const LogInteractionRequest = Type.Object(
  {
    source: Type.Object(
      {
        mime: Type.Optional(Type.String({ minLength: 1 })),
        item: Type.Optional(LogItemSource),
      },
      { additionalProperties: false },
    ),
    clientId: Id,
    dealId: Type.Optional(Type.Union([Id, Type.Null()])),
    taskId: Type.Optional(Type.Union([Id, Type.Null()])),
    /** Default: `out` when the sender is a bank user, else `in`. */
    direction: Type.Optional(Type.Enum(INTERACTION_DIRECTIONS)),
    /** Office.js `item.conversationId` (not in the MIME source). */
    conversationId: Type.Optional(Type.String({ maxLength: 512 })),
    /**
     * With `source.mime`: the file names of the attachments to keep (the user's choice); absent = all.
     * Inline images the kept body shows are always kept.
     */
    attachmentNames: Type.Optional(
      Type.Array(Type.String({ maxLength: L.filename }), { maxItems: L.attachments }),
    ),
  },
  { additionalProperties: false },
);
export type LogInteractionRequestDto = Static<typeof LogInteractionRequest>;

export const Meeting = Type.Object({
  uid: Type.Union([Type.String(), Type.Null()]),
  start: Type.Union([DateTime, Type.Null()]),
  end: Type.Union([DateTime, Type.Null()]),
  location: Type.Union([Type.String(), Type.Null()]),
  timeZone: Type.Union([Type.String(), Type.Null()]),
});

/** One link of an interaction to a client (and optionally one of its deals or tasks). */
export const InteractionLink = Type.Object({
  clientId: Id,
  clientName: Type.String(),
  dealId: Type.Union([Id, Type.Null()]),
  taskId: Type.Union([Id, Type.Null()]),
  linkedBy: UserRef,
  linkedAt: DateTime,
});
export type InteractionLinkDto = Static<typeof InteractionLink>;

/** An interaction as the history list shows it. */
export const InteractionSummary = Type.Object({
  id: Id,
  internetMessageId: Type.String(),
  conversationId: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Enum(INTERACTION_KINDS),
  direction: Type.Enum(INTERACTION_DIRECTIONS),
  subject: Type.String(),
  sentAt: DateTime,
  from: Type.Union([EmailParty, Type.Null()]),
  to: Type.Array(EmailParty),
  cc: Type.Array(EmailParty),
  /** The first ~200 characters of the new part of the body. */
  snippet: Type.String(),
  attachmentCount: Type.Integer({ minimum: 0 }),
  signatureNote: Type.Union([Type.Enum(SIGNATURE_NOTES), Type.Null()]),
  meeting: Type.Union([Meeting, Type.Null()]),
  createdBy: UserRef,
  createdAt: DateTime,
});
export type InteractionSummaryDto = Static<typeof InteractionSummary>;

export const InteractionAttachment = Type.Object({
  /** Hex SHA-256 of the content: the download key (`/interactions/:id/attachments/:sha256`). */
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  /** Content-ID without brackets: the body's `<img src="cid:...">` shows this part. */
  contentId: Type.Union([Type.String(), Type.Null()]),
  inline: Type.Boolean(),
});
export type InteractionAttachmentDto = Static<typeof InteractionAttachment>;

/** GET /api/v1/interactions/:id: the whole interaction; `links` only to clients the user may see. */
export const InteractionDetail = Type.Intersect([
  InteractionSummary,
  Type.Object({
    inReplyTo: Type.Union([Type.String(), Type.Null()]),
    references: Type.Array(Type.String()),
    bodyText: Type.String(),
    /** Sanitised HTML (no scripts, styles, handlers or remote images); images as `cid:` refs. */
    bodyHtml: Type.Union([Type.String(), Type.Null()]),
    quotedHistoryStripped: Type.Boolean(),
    attachments: Type.Array(InteractionAttachment),
    links: Type.Array(InteractionLink),
    /** Links to clients this user may not see: how many, nothing else. */
    hiddenLinkCount: Type.Integer({ minimum: 0 }),
  }),
]);
export type InteractionDetailDto = Static<typeof InteractionDetail>;

export const LoggedBy = Type.Object({ user: UserRef, at: DateTime });

/**
 * Something of the message that was not kept as sent: a name or subject cut to its limit, a date outside
 * 1900-2199 dropped, NUL characters removed. `field` names it as the API shows it (`from.name`, `meeting.start`).
 */
export const LogNote = Type.Object({ field: Type.String(), message: Type.String() });
export type LogNoteDto = Static<typeof LogNote>;

/**
 * Answer of POST /api/v1/interactions (201 when this request created the interaction, 200 when it existed)
 * and POST /api/v1/interactions/:id/links (201 new link, 200 existing).
 */
export const LogInteractionResponse = Type.Object({
  interaction: InteractionSummary,
  links: Type.Array(InteractionLink),
  hiddenLinkCount: Type.Integer({ minimum: 0 }),
  /** Whether this request created the interaction / added the link for `clientId`. */
  created: Type.Boolean(),
  linked: Type.Boolean(),
  /** When the interaction already existed: who logged it first, and when. */
  alreadyLoggedBy: Type.Optional(LoggedBy),
  /** When this request created the interaction and something was not kept as sent (see `LogNote`). */
  notes: Type.Optional(Type.Array(LogNote)),
});
export type LogInteractionResponseDto = Static<typeof LogInteractionResponse>;

/** POST /api/v1/interactions/:id/links: add one's link to an interaction someone already logged. */
export const AddInteractionLinkRequest = Type.Object(
  {
    clientId: Id,
    dealId: Type.Optional(Type.Union([Id, Type.Null()])),
    taskId: Type.Optional(Type.Union([Id, Type.Null()])),
  },
  { additionalProperties: false },
);
export type AddInteractionLinkRequestDto = Static<typeof AddInteractionLinkRequest>;

export const InteractionStatusQuery = Type.Object(
  { internetMessageId: Type.String({ minLength: 3, maxLength: 998 }) },
  { additionalProperties: false },
);

/**
 * GET /api/v1/interactions/status: is this message logged (on any machine, by anyone) to a client this user
 * may see? Linked only to clients the user may not see, it answers as not logged: no id, no `loggedBy`,
 * `hiddenLinkCount` 0 (a Message-ID is no proof of having the message). `hiddenLinkCount` counts the other
 * clients of a message the user sees.
 */
export const InteractionStatus = Type.Object({
  logged: Type.Boolean(),
  interactionId: Type.Union([Id, Type.Null()]),
  loggedBy: Type.Union([LoggedBy, Type.Null()]),
  links: Type.Array(InteractionLink),
  hiddenLinkCount: Type.Integer({ minimum: 0 }),
});
export type InteractionStatusDto = Static<typeof InteractionStatus>;

export const ConversationQuery = Type.Object(
  {
    conversationId: Type.Optional(Type.String({ maxLength: 512 })),
    inReplyTo: Type.Optional(Type.String({ maxLength: 998 })),
    /** The message's References ids, space-separated. */
    references: Type.Optional(Type.String({ maxLength: 20000 })),
  },
  { additionalProperties: false },
);

/**
 * GET /api/v1/interactions/conversation: whether earlier messages of this thread were logged, and to which
 * visible clients, so the pane can offer to log this one too. Nothing is logged automatically.
 */
export const ConversationStatus = Type.Object({
  logged: Type.Boolean(),
  clients: Type.Array(Type.Object({ id: Id, displayName: Type.String() })),
  interactions: Type.Array(Type.Object({ id: Id, subject: Type.String(), sentAt: DateTime })),
  /**
   * Always 0: logged messages of the thread linked only to clients this user may not see are not reported
   * (counting them would confirm that they exist). Kept for compatibility.
   */
  hiddenCount: Type.Integer({ minimum: 0 }),
  /** Whether replies are logged without asking: always false (no admin setting exists yet). */
  autoLogReplies: Type.Boolean(),
});
export type ConversationStatusDto = Static<typeof ConversationStatus>;

export const ClientInteractionsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    /** `nextCursor` of the previous page. */
    cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
);

/** GET /api/v1/clients/:id/interactions: the client's history, newest first. */
export const ClientInteractions = Type.Object({
  items: Type.Array(
    Type.Intersect([
      InteractionSummary,
      Type.Object({ link: Type.Omit(InteractionLink, ['clientId', 'clientName']) }),
    ]),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type ClientInteractionsDto = Static<typeof ClientInteractions>;

export const InteractionAttachmentParams = Type.Object(
  { id: Id, sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
  { additionalProperties: false },
);
export const InteractionLinkParams = Type.Object({ id: Id, clientId: Id }, { additionalProperties: false });

// ---------------------------------------------------------------- unknown senders

/** POST /api/v1/clients/:id/contact-points: an address or phone of an unknown sender added to a client. */
export const AddContactPointRequest = Type.Object(
  {
    kind: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
    value: Type.String({ minLength: 3, maxLength: 320 }),
  },
  { additionalProperties: false },
);
export type AddContactPointRequestDto = Static<typeof AddContactPointRequest>;

export const ContactPointAdded = Type.Object({
  clientId: Id,
  kind: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
  value: Type.String(),
  /** false: the client already had it (the call is idempotent). */
  created: Type.Boolean(),
});
export type ContactPointAddedDto = Static<typeof ContactPointAdded>;

export const CandidatesQuery = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 320 })),
    displayName: Type.Optional(Type.String({ maxLength: 512 })),
    inn: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);

export const MATCH_REASONS = ['email', 'inn', 'name', 'domain'] as const;

export const DuplicateCandidate = Type.Object({
  client: ClientSummary,
  /** `email`/`inn`: exact (blocking); `name`: similar folded name (trigram); `domain`: contact at the same domain. */
  reasons: Type.Array(Type.Enum(MATCH_REASONS)),
  /** pg_trgm similarity of the folded names, 0..1; null when not compared. */
  similarity: Type.Union([Type.Number(), Type.Null()]),
});
export type DuplicateCandidateDto = Static<typeof DuplicateCandidate>;

export const ParsedPersonName = Type.Object({
  lastName: Type.String(),
  firstName: Type.String(),
  middleName: Type.Union([Type.String(), Type.Null()]),
});
export type ParsedPersonNameDto = Static<typeof ParsedPersonName>;

/** GET /api/v1/prospects/candidates: the duplicate check before creating a prospect, and the suggestions. */
export const Candidates = Type.Object({
  candidates: Type.Array(DuplicateCandidate),
  /**
   * Exact matches (email, INN) among clients this user may not see: how many, nothing else. Similar names of
   * hidden clients are never counted (that would let anyone probe who is a client by name).
   */
  hiddenMatches: Type.Integer({ minimum: 0 }),
  /**
   * Exact matches (email, INN) exist, visible or not: an email match needs `confirmNotDuplicate`; an INN
   * match refuses the create (409 `INN_EXISTS`).
   */
  exactMatch: Type.Boolean(),
  /** The display name read as a person's name; null when none was given or it names a company. */
  parsedName: Type.Union([ParsedPersonName, Type.Null()]),
  /**
   * What the display name suggests: `legal_entity` when it holds a legal-form word (ООО, АО, ПАО, LLC...;
   * `ИП` is a sole proprietor, an `individual`), `individual` for a person's name, null without a name.
   */
  suggestedKind: Type.Union([ClientKind, Type.Null()]),
  /** The sender's email domain, and visible companies using it (none for public mail services). */
  company: Type.Union([
    Type.Object({
      domain: Type.String(),
      publicMailService: Type.Boolean(),
      nameHint: Type.Union([Type.String(), Type.Null()]),
      clients: Type.Array(ClientSummary),
    }),
    Type.Null(),
  ]),
});
export type CandidatesDto = Static<typeof Candidates>;

/**
 * POST /api/v1/prospects: a `potential` client managed by the caller and served by their branch. An
 * individual's name comes from `lastName`/`firstName`/`middleName` or is parsed from `displayName`; a legal
 * entity needs `fullName` (or `displayName`) and a 10-digit INN.
 */
export const CreateProspectRequest = Type.Object(
  {
    kind: ClientKind,
    // Names need a visible character: "   " or a zero-width space alone are refused (400 naming the field).
    displayName: Type.Optional(NonBlankText(512)),
    lastName: Type.Optional(NonBlankText(200)),
    firstName: Type.Optional(NonBlankText(200)),
    /** Optional: blank or invisible reads as none. */
    middleName: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    fullName: Type.Optional(NonBlankText(512)),
    shortName: Type.Optional(NonBlankText(255)),
    inn: Type.Optional(Type.String({ pattern: '^\\s*\\d{10}(\\d{2})?\\s*$' })),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
    /** The language to write to the client in; absent or null: chosen by citizenship. */
    preferredLanguage: Type.Optional(Type.Union([Type.Enum(CLIENT_LANGUAGES), Type.Null()])),
    /**
     * The user reviewed the exact email matches and says this is someone else (a shared mailbox). An INN
     * match cannot be confirmed away: one INN is one taxpayer.
     */
    confirmNotDuplicate: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateProspectRequestDto = Static<typeof CreateProspectRequest>;

export const ProspectCreated = Type.Object({
  client: ClientSummary,
  contacts: Type.Array(
    Type.Object({ kind: Type.Union([Type.Literal('email'), Type.Literal('phone')]), value: Type.String() }),
  ),
});
export type ProspectCreatedDto = Static<typeof ProspectCreated>;

/** The 409 body of POST /api/v1/prospects when exact duplicates exist (the error body plus the candidates). */
export const DuplicateSuspectedBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.Literal('DUPLICATE_SUSPECTED'),
  message: Type.String(),
  requestId: Type.String(),
  candidates: Type.Array(DuplicateCandidate),
  hiddenMatches: Type.Integer({ minimum: 0 }),
});

/**
 * The 409 body of POST /api/v1/prospects when a client with this INN exists: never created, whatever
 * `confirmNotDuplicate` says. `candidates` holds that client when the user may see it; when not, only
 * `hiddenMatches` says it exists, and `ask` whom to ask for access (the user's supervisor; null: an
 * administrator), never anything of the hidden client.
 */
export const InnExistsBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.Literal('INN_EXISTS'),
  message: Type.String(),
  requestId: Type.String(),
  field: Type.Literal('body.inn'),
  candidates: Type.Array(DuplicateCandidate),
  hiddenMatches: Type.Integer({ minimum: 0 }),
  ask: Type.Union([UserRef, Type.Null()]),
});

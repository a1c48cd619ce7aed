import { type Static, Type } from 'typebox';

/**
 * Schema keyword holding what a field must be, in words, for the 400 a wrong format gets (instead of "must
 * match pattern ..."): e.g. `{ pattern: '^https://', 'x-message': 'must be an https URL' }`.
 */
export const FIELD_MESSAGE_KEYWORD = 'x-message';

/**
 * UUID string identifying any record, in the lower-case form the API issues. The `uuid` format alone would
 * also let `urn:uuid:...` and upper case through, which PostgreSQL then rejects or compares differently.
 */
export const Id = Type.String({
  format: 'uuid',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  [FIELD_MESSAGE_KEYWORD]: 'must be an id (a lower-case UUID)',
});

/**
 * Any visible character: whitespace, zero-width and blank-looking characters alone (soft hyphen, Hangul and
 * Braille fillers, direction marks, invisible operators) are not a title, a name or a reason.
 */
export const NOT_BLANK =
  '[^\\s\\u00AD\\u034F\\u115F\\u1160\\u17B4\\u17B5\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u206A-\\u206F\\u2800\\u3164\\uFEFF\\uFFA0]';

/** A required text of at most `maxLength` characters that is not blank. */
export const NonBlankText = (maxLength: number) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: NOT_BLANK,
    [FIELD_MESSAGE_KEYWORD]: 'must not be blank: write something visible',
  });

/** Money: decimal string amount + ISO 4217 currency; see shared/src/money.ts. */
export const MoneySchema = Type.Object(
  {
    amount: Type.String({
      pattern: '^-?\\d{1,18}(\\.\\d{1,2})?$',
      description: 'Decimal string, never a float',
      [FIELD_MESSAGE_KEYWORD]: 'must be an amount with at most 2 decimals, e.g. "1500.00"',
    }),
    currency: Type.String({
      pattern: '^[A-Z]{3}$',
      description: 'ISO 4217 code',
      [FIELD_MESSAGE_KEYWORD]: 'must be an ISO 4217 currency code, e.g. "RUB"',
    }),
  },
  { additionalProperties: false },
);
export type MoneyDto = Static<typeof MoneySchema>;

/** Route params of `/:id` routes. */
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

/**
 * Date-time in ISO 8601 with an offset (UTC `Z` from the server), years 1900-2199: year 0 or 10000 are
 * valid ISO but not banking dates, and JavaScript's Date cannot carry some of them back out.
 */
export const DateTime = Type.String({
  format: 'date-time',
  pattern: '^(19|20|21)\\d{2}-',
  [FIELD_MESSAGE_KEYWORD]:
    'must be a date and time with an offset, years 1900-2199, e.g. "2026-12-01T09:00:00Z"',
});
/** Calendar date `YYYY-MM-DD`, years 1900-2199. */
export const DateOnly = Type.String({ format: 'date', pattern: '^(19|20|21)\\d{2}-' });

/** A user as shown next to a record (manager, assignee, author). */
export const UserRef = Type.Object({ id: Id, name: Type.String() });
export type UserRefDto = Static<typeof UserRef>;

/** The error body every non-2xx answer carries; mirrors `ApiErrorBody` in errors.ts. */
export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
  requestId: Type.String(),
  field: Type.Optional(Type.String()),
});

import { type Static, Type } from 'typebox';

/** UUID string identifying any record. */
export const Id = Type.String({ format: 'uuid' });

/** Money: decimal string amount + ISO 4217 currency; see shared/src/money.ts. */
export const MoneySchema = Type.Object(
  {
    amount: Type.String({
      pattern: '^-?\\d{1,18}(\\.\\d{1,2})?$',
      description: 'Decimal string, never a float',
    }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
  },
  { additionalProperties: false },
);
export type MoneyDto = Static<typeof MoneySchema>;

/** Route params of `/:id` routes. */
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

/** Date-time in ISO 8601 with an offset (UTC `Z` from the server). */
export const DateTime = Type.String({ format: 'date-time' });
/** Calendar date `YYYY-MM-DD`. */
export const DateOnly = Type.String({ format: 'date' });

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

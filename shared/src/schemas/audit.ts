import { type Static, Type } from 'typebox';
import { DateTime, Id } from './common.ts';

export const AUDIT_RESULTS = ['ok', 'denied', 'failed'] as const;

/**
 * GET /api/v1/audit-events (admins only): newest first; `cursor` is the `nextCursor` of the previous page.
 * `from` is inclusive, `to` exclusive.
 */
export const AuditEventsQuery = Type.Object(
  {
    clientId: Type.Optional(Id),
    userId: Type.Optional(Id),
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z_.]+$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
  },
  { additionalProperties: false },
);
export type AuditEventsQueryDto = Static<typeof AuditEventsQuery>;

/** One audit event: who (user, role), when, what (action, clients, entity, details), from where, result. */
export const AuditEvent = Type.Object({
  id: Type.String(),
  at: DateTime,
  actorId: Type.Union([Id, Type.Null()]),
  actorRole: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  result: Type.Enum(AUDIT_RESULTS),
  clientIds: Type.Array(Id),
  entity: Type.Union([Type.String(), Type.Null()]),
  entityId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  channel: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
});
export type AuditEventDto = Static<typeof AuditEvent>;

export const AuditEventsPage = Type.Object({
  items: Type.Array(AuditEvent),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type AuditEventsPageDto = Static<typeof AuditEventsPage>;

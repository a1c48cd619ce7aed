import { type Static, Type } from 'typebox';
import { DateTime, UserRef } from './common.ts';

/** GET /api/v1/admin/calendar-sync/mailboxes: mailboxes calendar sync cannot reach, for admins to fix. */
export const NotSyncableMailboxes = Type.Object({
  items: Type.Array(
    Type.Object({
      user: UserRef,
      /** Graph's error code: `MailboxNotEnabledForRESTAPI` (no Exchange Online mailbox), `ErrorAccessDenied` (access policy). */
      reason: Type.Union([Type.String(), Type.Null()]),
      since: DateTime,
      /** Tasks of this user that are not in their calendar because of it. */
      tasks: Type.Integer(),
    }),
  ),
});
export type NotSyncableMailboxesDto = Static<typeof NotSyncableMailboxes>;

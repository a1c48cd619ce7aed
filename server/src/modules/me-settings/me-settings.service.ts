import type { CalendarFeedStateDto, MeSettingsDto, UserLanguage } from '@crm/shared';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';

// The signed-in user's own settings: the language of their email notifications (assignment notices read
// `users.language`) and whether their private calendar feed exists. A user edits only their own row: no version
// check (nobody else edits this field) and no bump of `users.version`, so an admin's open edit of the same user
// is not turned into a conflict by it.

/** The live feed's creation time, or `{exists: false}`. */
export async function calendarFeedState(db: Db, userId: string): Promise<CalendarFeedStateDto> {
  const row = await db
    .selectFrom('calendar_feeds')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .select('created_at')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row
    ? { exists: true, createdAt: new Date(row.created_at as unknown as Date).toISOString() }
    : { exists: false, createdAt: null };
}

/** The user's settings as the pane shows them. */
export async function meSettings(db: Db, userId: string): Promise<MeSettingsDto> {
  const user = await db
    .selectFrom('users')
    .where('id', '=', userId)
    .select('language')
    .executeTakeFirstOrThrow();
  return { language: user.language, calendarFeed: await calendarFeedState(db, userId) };
}

/** Sets the language of the user's email notifications; audited with before/after when it changes. */
export async function setMyLanguage(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  language: UserLanguage | null,
): Promise<MeSettingsDto> {
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('users')
      .where('id', '=', p.id)
      .select('language')
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (before.language === language) return;
    await trx.updateTable('users').set({ language }).where('id', '=', p.id).execute();
    await recordAudit(trx, p, origin, [
      {
        action: 'user.language.update',
        result: 'ok',
        entity: 'user',
        entityId: p.id,
        details: { fields: ['language'], changes: { language: { from: before.language, to: language } } },
      },
    ]);
  });
  return meSettings(db, p.id);
}

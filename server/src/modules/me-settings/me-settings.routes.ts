import { CalendarFeedState, MePatch, MeSettings } from '@crm/shared';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import { calendarFeedState, meSettings, setMyLanguage } from './me-settings.service.ts';

/**
 * The pane's settings of the signed-in user (any role; each user sees and changes only their own):
 * GET /me/settings — language of email notifications and the calendar feed's state;
 * PATCH /me {language} — sets the language (400 with `field` on anything else);
 * GET /me/calendar-feed — {exists, createdAt} (the link itself cannot be shown again).
 */
export async function meSettingsRoutes(app: ApiApp, opts: { db: Db }) {
  app.get('/me/settings', { schema: { tags: ['me'], response: { 200: MeSettings } } }, async (request) =>
    meSettings(opts.db, request.principal.id),
  );
  app.patch(
    '/me',
    { schema: { tags: ['me'], body: MePatch, response: { 200: MeSettings } } },
    async (request) =>
      setMyLanguage(opts.db, request.principal, originOf(request, 'pane'), request.body.language),
  );
  app.get(
    '/me/calendar-feed',
    { schema: { tags: ['calendar-feeds'], response: { 200: CalendarFeedState } } },
    async (request) => calendarFeedState(opts.db, request.principal.id),
  );
}

import { type Static, Type } from 'typebox';
import { DateTime } from './common.ts';

// The signed-in user's own settings, changed from the pane (/api/v1/me, /api/v1/me/calendar-feed).

/** Languages a user's email notifications can be written in. */
export const USER_LANGUAGES = ['ru', 'en'] as const;
export type UserLanguage = (typeof USER_LANGUAGES)[number];

/**
 * Whether the user has a live private iCalendar feed. The URL itself cannot be shown again (only the token's
 * hash is stored): `POST /me/calendar-feed` issues a new one, and the old link stops working.
 */
export const CalendarFeedState = Type.Object({
  exists: Type.Boolean(),
  /** When the live link was created; null without one. */
  createdAt: Type.Union([DateTime, Type.Null()]),
});
export type CalendarFeedStateDto = Static<typeof CalendarFeedState>;

/** GET /api/v1/me/settings. `language`: of the user's email notifications; null = the bank's default (ru). */
export const MeSettings = Type.Object({
  language: Type.Union([Type.Enum(USER_LANGUAGES), Type.Null()]),
  calendarFeed: CalendarFeedState,
});
export type MeSettingsDto = Static<typeof MeSettings>;

/** PATCH /api/v1/me: the language of the user's email notifications (null: back to the default). */
export const MePatch = Type.Object(
  { language: Type.Union([Type.Enum(USER_LANGUAGES), Type.Null()]) },
  { additionalProperties: false },
);
export type MePatchDto = Static<typeof MePatch>;

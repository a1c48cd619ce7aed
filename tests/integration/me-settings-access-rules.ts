import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

// The access-matrix rules of the signed-in user's own settings (access-matrix.test.ts spreads them into its
// RULES): every role reads and changes only its own settings; a language change is audited.

type Who = 'rm' | 'supervisor' | 'creditOfficer' | 'admin' | 'rmWithAdminGrant';
type Target = 'own' | 'other';
type Audit = { action: string; result: 'ok' | 'denied'; withClient: boolean } | null;
type Rule = {
  request: (c: unknown, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  check?: (res: LightMyRequestResponse, c: unknown, who: Who, target: Target) => void;
  audit?: (who: Who, target: Target) => Audit;
};

export function meSettingsRules(): Record<string, Rule> {
  return {
    'GET /api/v1/me/settings': {
      request: () => ({ url: '/api/v1/me/settings' }),
      status: () => 200,
      check: (res) => expect(res.json()).toHaveProperty('calendarFeed.exists'),
    },
    // "own" runs before "other" for each role: en then ru, so each call is a change and leaves an audit event.
    'PATCH /api/v1/me': {
      request: (_c, _who, target) => ({
        method: 'PATCH',
        url: '/api/v1/me',
        payload: { language: target === 'own' ? 'en' : 'ru' },
      }),
      status: () => 200,
      check: (res, _c, _who, target) => expect(res.json().language).toBe(target === 'own' ? 'en' : 'ru'),
      audit: () => ({ action: 'user.language.update', result: 'ok', withClient: false }),
    },
    'GET /api/v1/me/calendar-feed': {
      request: () => ({ url: '/api/v1/me/calendar-feed' }),
      status: () => 200,
      check: (res) => expect(typeof res.json().exists).toBe('boolean'),
    },
  };
}

import { AppError, DevTokenRequest, DevTokenResponse, DevUser, Me, normalizeAddress } from '@crm/shared';
import { Type } from 'typebox';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import { recordAudit } from '../audit/audit.repository.ts';

/**
 * Dev sign-in for the demo: only registered when CRM_DEV_AUTH is on (config refuses it beyond loopback).
 * GET /dev/users lists demo users; POST /dev/token { email } returns { accessToken } for that user.
 */
export async function devAuthRoutes(app: ApiApp, opts: { db: Db }) {
  app.get(
    '/dev/users',
    { config: { public: true }, schema: { tags: ['dev sign-in'], response: { 200: Type.Array(DevUser) } } },
    async () =>
      opts.db
        .selectFrom('users as u')
        .leftJoin('branches as b', 'b.id', 'u.branch_id')
        .where('u.is_active', '=', true)
        .select(['u.id', 'u.name', 'u.email', 'u.role', 'b.name as branch'])
        .orderBy('u.role')
        .orderBy('u.name')
        .execute(),
  );

  app.post(
    '/dev/token',
    {
      config: { public: true },
      schema: { tags: ['dev sign-in'], body: DevTokenRequest, response: { 200: DevTokenResponse } },
    },
    async (request) => {
      const key = normalizeAddress(request.body.email).key;
      const user = await opts.db
        .selectFrom('user_addresses as a')
        .innerJoin('users as u', 'u.id', 'a.user_id')
        .where('a.address_key', '=', key)
        .where('u.is_active', '=', true)
        .select(['u.id', 'u.role'])
        .executeTakeFirst();
      if (!user) throw new AppError('NOT_FOUND', 'No active demo user has this email', 'body.email');
      await recordAudit(opts.db, user, originOf(request, 'dev-sign-in'), [
        { action: 'auth.sign_in', result: 'ok' },
      ]);
      return { accessToken: app.jwt.sign({ sub: user.id }) };
    },
  );
}

/** GET /me: the signed-in user. */
export async function meRoutes(app: ApiApp) {
  app.get('/me', { schema: { tags: ['auth'], response: { 200: Me } } }, async (request) => {
    const p = request.principal;
    return {
      id: p.id,
      name: p.name,
      email: p.email,
      role: p.role,
      grants: p.grants,
      aliases: p.addressKeys.filter((k) => k.includes('@')),
    };
  });
}

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApiApp, type AppOptions, buildApp } from '../../server/src/app.ts';
import { DEFAULT_FRAME_ANCESTORS } from '../../server/src/config.ts';
import type { Db } from '../../server/src/db/database.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type TestConfig = AppOptions['config'];

/** The config tests run with: dev sign-in on, Entra off, limits high enough for any test's traffic. */
export function testConfig(overrides: Partial<TestConfig> = {}): TestConfig {
  return {
    devAuth: true,
    jwtSecret: 'test-secret-test-secret-test-secret-0123',
    tokenTtlSeconds: 3600,
    addinDist: path.join(repoRoot, 'addin/dist'),
    logLevel: 'silent',
    entra: null,
    corsOrigins: [],
    frameAncestors: DEFAULT_FRAME_ANCESTORS,
    rateLimit: { perIpPerMinute: 100_000, perUserPerMinute: 100_000 },
    bodyLimitBytes: 1024 * 1024,
    trustProxy: false,
    idempotencyTtlHours: 24,
    attachmentMaxBytes: 25 * 1024 * 1024,
    interactionMaxBytes: 35 * 1024 * 1024,
    ...overrides,
  };
}

/** Builds the real app over a test database, dev sign-in on, logging off. */
export async function buildTestApp(
  db: Db,
  overrides: Partial<TestConfig> = {},
  publicUrl?: string,
): Promise<ApiApp> {
  return buildApp({ db, logger: false, config: testConfig(overrides), publicUrl });
}

/** A dev access token for the demo user with this email (through the real dev sign-in route). */
export async function tokenFor(app: ApiApp, email: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/dev/token', payload: { email } });
  if (res.statusCode !== 200) throw new Error(`dev token for ${email}: ${res.statusCode} ${res.body}`);
  return res.json().accessToken;
}

/** Starts the app on a random loopback port (for the browser tests). */
export async function startTestServer(
  db: Db,
  overrides: Partial<TestConfig> = {},
): Promise<{ app: ApiApp; baseUrl: string; close: () => Promise<void> }> {
  const app = await buildTestApp(db, overrides);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, baseUrl: address, close: () => app.close() };
}

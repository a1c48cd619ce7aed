import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as initial from '../../migrations/2026-11-29T1900-initial.ts';
import * as entraRolesIdempotency from '../../migrations/2026-12-01T1000-entra-roles-idempotency.ts';
import * as interactions from '../../migrations/2026-12-02T1000-interactions.ts';
import * as calendarSync from '../../migrations/2026-12-03T1000-calendar-sync.ts';
import * as admin from '../../migrations/2026-12-04T1000-admin.ts';
import * as latinNameSearch from '../../migrations/2026-12-05T1000-latin-name-search.ts';
import * as credit from '../../migrations/2026-12-06T1000-credit.ts';
import * as interactionFingerprint from '../../migrations/2026-12-07T1000-interaction-fingerprint.ts';
import * as calendarFeeds from '../../migrations/2026-12-08T1000-calendar-feeds.ts';
import * as workSettings from '../../migrations/2026-12-09T1000-work-settings.ts';
import * as m365Connection from '../../migrations/2026-12-09T1100-m365-connection.ts';
import * as clientLanguage from '../../migrations/2026-12-09T1300-client-language.ts';
import * as mailboxTimeZone from '../../migrations/2026-12-09T1400-mailbox-time-zone.ts';
import * as stageTaskIndex from '../../migrations/2026-12-10T1000-stage-task-index.ts';

// An explicit list rather than a folder scan: the set of migrations is part of the code under review.
const migrations: Record<string, Migration> = {
  '2026-11-29T1900-initial': initial,
  '2026-12-01T1000-entra-roles-idempotency': entraRolesIdempotency,
  '2026-12-02T1000-interactions': interactions,
  '2026-12-03T1000-calendar-sync': calendarSync,
  '2026-12-04T1000-admin': admin,
  '2026-12-05T1000-latin-name-search': latinNameSearch,
  '2026-12-06T1000-credit': credit,
  '2026-12-07T1000-interaction-fingerprint': interactionFingerprint,
  '2026-12-08T1000-calendar-feeds': calendarFeeds,
  '2026-12-09T1000-work-settings': workSettings,
  '2026-12-09T1100-m365-connection': m365Connection,
  '2026-12-09T1300-client-language': clientLanguage,
  '2026-12-09T1400-mailbox-time-zone': mailboxTimeZone,
  '2026-12-10T1000-stage-task-index': stageTaskIndex,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema to the latest migration. Throws (with the failing migration's name) on any failure,
 * so callers exit non-zero.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped Kysely
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`,
    );
  }
  return (results ?? []).map((r) => r.migrationName);
}

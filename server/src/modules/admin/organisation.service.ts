import {
  AppError,
  type BranchDto,
  type CreateBranchRequestDto,
  type CreateRegionRequestDto,
  type CreateTeamRequestDto,
  type RegionDto,
  type TeamDto,
  type UpdateBranchRequestDto,
  type UpdateRegionRequestDto,
  type UpdateTeamRequestDto,
} from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type AuditEntry, type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import { findOrganisation } from './admin.repository.ts';
import { alreadyExists } from './admin-users.service.ts';

// Regions -> branches -> teams. Every change: the version the admin saw (409 VERSION_CONFLICT otherwise),
// and an audit event with before/after of the changed fields in the change's transaction.

type Actor = Pick<Principal, 'id' | 'role'>;
type Changes = Record<string, { from: unknown; to: unknown }>;

/**
 * The canonical IANA name of a time zone (`europe/moscow` -> `Europe/Moscow`), checked with Intl (the same
 * tz database the calendar sync converts with). Offsets and Windows names are refused.
 */
export function ianaTimeZone(value: string, field = 'body.timeZone'): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new AppError('VALIDATION_FAILED', `Not an IANA time zone: ${value}`, field);
  }
}

function diff<T extends Record<string, unknown>>(before: T, next: Partial<T>): Changes {
  const changes: Changes = {};
  for (const [k, to] of Object.entries(next))
    if (to !== undefined && before[k] !== to) changes[k] = { from: before[k], to };
  return changes;
}

function conflict(what: string): never {
  throw new AppError(
    'VERSION_CONFLICT',
    `Someone changed this ${what} since you opened it: reload and try again`,
    'body.version',
  );
}

async function findIn<T>(rows: T[], pick: (r: T) => boolean, what: string): Promise<T> {
  const r = rows.find(pick);
  if (!r) throw new AppError('NOT_FOUND', `No such ${what}`);
  return r;
}

/** @throws AppError ALREADY_EXISTS (name) */
export async function createRegion(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  input: CreateRegionRequestDto,
): Promise<RegionDto> {
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('regions')
        .values({ name: input.name.trim() })
        .returning(['id', 'name', 'version'])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actor, origin, [
        {
          action: 'region.create',
          result: 'ok',
          entity: 'region',
          entityId: row.id,
          details: { after: { name: row.name } },
        },
      ]);
      return row;
    });
  } catch (err) {
    alreadyExists(err, { regions_name: 'body.name' }, 'body.name');
  }
}

/** Renames a region; its branches' `region` text follows. @throws NOT_FOUND, VERSION_CONFLICT, ALREADY_EXISTS */
export async function updateRegion(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  id: string,
  input: UpdateRegionRequestDto,
): Promise<RegionDto> {
  try {
    return await db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('regions')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw new AppError('NOT_FOUND', 'No such region', 'params.id');
      if (before.version !== input.version) conflict('region');
      const changes = diff(before, { name: input.name.trim() });
      if (Object.keys(changes).length === 0) return { id, name: before.name, version: before.version };
      const row = await trx
        .updateTable('regions')
        .set({ name: input.name.trim(), version: sql`version + 1` })
        .where('id', '=', id)
        .returning(['id', 'name', 'version'])
        .executeTakeFirstOrThrow();
      await trx.updateTable('branches').set({ region: row.name }).where('region_id', '=', id).execute();
      await recordAudit(trx, actor, origin, [
        {
          action: 'region.update',
          result: 'ok',
          entity: 'region',
          entityId: id,
          details: { fields: Object.keys(changes), changes },
        },
      ]);
      return row;
    });
  } catch (err) {
    alreadyExists(err, { regions_name: 'body.name' }, 'body.name');
  }
}

async function branchDto(db: Db, id: string): Promise<BranchDto> {
  const org = await findOrganisation(db);
  return findIn(org.branches, (b) => b.id === id, 'branch');
}

async function regionName(trx: Db, regionId: string): Promise<string> {
  const r = await trx.selectFrom('regions').where('id', '=', regionId).select('name').executeTakeFirst();
  if (!r) throw new AppError('VALIDATION_FAILED', 'No such region', 'body.regionId');
  return r.name;
}

/** @throws AppError VALIDATION_FAILED (regionId, timeZone), ALREADY_EXISTS (code) */
export async function createBranch(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  input: CreateBranchRequestDto,
): Promise<BranchDto> {
  const timeZone = ianaTimeZone(input.timeZone);
  try {
    const id = await db.transaction().execute(async (trx) => {
      const values = {
        code: input.code,
        name: input.name.trim(),
        region_id: input.regionId,
        region: await regionName(trx, input.regionId),
        time_zone: timeZone,
      };
      const { id } = await trx
        .insertInto('branches')
        .values(values)
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actor, origin, [
        { action: 'branch.create', result: 'ok', entity: 'branch', entityId: id, details: { after: values } },
      ]);
      return id;
    });
    return await branchDto(db, id);
  } catch (err) {
    alreadyExists(err, { branches_code: 'body.code' }, 'body.code');
  }
}

/** @throws AppError NOT_FOUND, VERSION_CONFLICT, VALIDATION_FAILED, ALREADY_EXISTS (code) */
export async function updateBranch(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  id: string,
  input: UpdateBranchRequestDto,
): Promise<BranchDto> {
  const timeZone = input.timeZone === undefined ? undefined : ianaTimeZone(input.timeZone);
  try {
    await db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('branches')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw new AppError('NOT_FOUND', 'No such branch', 'params.id');
      if (before.version !== input.version) conflict('branch');
      if (input.regionId !== undefined) await regionName(trx, input.regionId);
      const changes = diff(before as unknown as Record<string, unknown>, {
        code: input.code,
        name: input.name?.trim(),
        region_id: input.regionId,
        time_zone: timeZone,
      });
      if (Object.keys(changes).length === 0) return;
      const set = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to]));
      await trx
        .updateTable('branches')
        .set({ ...set, version: sql`version + 1` })
        .where('id', '=', id)
        .execute();
      await recordAudit(trx, actor, origin, [
        {
          action: 'branch.update',
          result: 'ok',
          entity: 'branch',
          entityId: id,
          details: { fields: Object.keys(changes), changes },
        },
      ]);
    });
    return await branchDto(db, id);
  } catch (err) {
    alreadyExists(err, { branches_code: 'body.code' }, 'body.code');
  }
}

async function teamDto(db: Db, id: string): Promise<TeamDto> {
  const org = await findOrganisation(db);
  return findIn(org.teams, (t) => t.id === id, 'team');
}

async function assertBranch(trx: Db, branchId: string) {
  const b = await trx.selectFrom('branches').where('id', '=', branchId).select('id').executeTakeFirst();
  if (!b) throw new AppError('VALIDATION_FAILED', 'No such branch', 'body.branchId');
}

async function assertSupervisor(trx: Db, supervisorId: string | null | undefined) {
  if (!supervisorId) return;
  const s = await trx
    .selectFrom('users')
    .where('id', '=', supervisorId)
    .select(['role', 'is_active'])
    .executeTakeFirst();
  if (!s?.is_active || s.role !== 'supervisor')
    throw new AppError(
      'VALIDATION_FAILED',
      'The supervisor must be an active user with the supervisor role',
      'body.supervisorId',
    );
}

const TEAM_UNIQUE = { teams_branch_name: 'body.name' };

/** @throws AppError VALIDATION_FAILED (branchId, supervisorId), ALREADY_EXISTS (name in the branch) */
export async function createTeam(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  input: CreateTeamRequestDto,
): Promise<TeamDto> {
  try {
    const id = await db.transaction().execute(async (trx) => {
      await assertBranch(trx, input.branchId);
      await assertSupervisor(trx, input.supervisorId);
      const values = {
        branch_id: input.branchId,
        name: input.name.trim(),
        supervisor_id: input.supervisorId ?? null,
      };
      const { id } = await trx.insertInto('teams').values(values).returning('id').executeTakeFirstOrThrow();
      await recordAudit(trx, actor, origin, [
        { action: 'team.create', result: 'ok', entity: 'team', entityId: id, details: { after: values } },
      ]);
      return id;
    });
    return await teamDto(db, id);
  } catch (err) {
    alreadyExists(err, TEAM_UNIQUE, 'body.name');
  }
}

/**
 * Renames a team, changes its supervisor, or moves it to another branch: a move keeps its people (team_id)
 * and takes them along (their branch becomes the team's, each audited as `user.update`).
 * @throws AppError NOT_FOUND, VERSION_CONFLICT, VALIDATION_FAILED, ALREADY_EXISTS
 */
export async function updateTeam(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  id: string,
  input: UpdateTeamRequestDto,
): Promise<TeamDto> {
  try {
    await db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('teams')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw new AppError('NOT_FOUND', 'No such team', 'params.id');
      if (before.version !== input.version) conflict('team');
      if (input.branchId !== undefined) await assertBranch(trx, input.branchId);
      if (input.supervisorId !== undefined) await assertSupervisor(trx, input.supervisorId);
      const changes = diff(before as unknown as Record<string, unknown>, {
        name: input.name?.trim(),
        branch_id: input.branchId,
        supervisor_id: input.supervisorId,
      });
      if (Object.keys(changes).length === 0) return;
      const set = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to]));
      await trx
        .updateTable('teams')
        .set({ ...set, version: sql`version + 1` })
        .where('id', '=', id)
        .execute();
      const audit: AuditEntry[] = [];
      let movedMembers: string[] = [];
      if (changes.branch_id) {
        const moved = await trx
          .updateTable('users')
          .set({ branch_id: input.branchId!, version: sql`version + 1` })
          .where('team_id', '=', id)
          .where('branch_id', 'is distinct from', input.branchId!)
          .returning(['id', 'branch_id'])
          .execute();
        movedMembers = moved.map((m) => m.id);
        for (const m of movedMembers)
          audit.push({
            action: 'user.update',
            result: 'ok',
            entity: 'user',
            entityId: m,
            details: {
              fields: ['branch_id'],
              changes: { branch_id: changes.branch_id },
              reason: 'team_moved',
              teamId: id,
            },
          });
      }
      audit.unshift({
        action: 'team.update',
        result: 'ok',
        entity: 'team',
        entityId: id,
        details: { fields: Object.keys(changes), changes, movedMembers },
      });
      await recordAudit(trx, actor, origin, audit);
    });
    return await teamDto(db, id);
  } catch (err) {
    alreadyExists(err, TEAM_UNIQUE, 'body.name');
  }
}

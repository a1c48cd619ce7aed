import {
  type AdminUserDto,
  AppError,
  type CreateAdminUserRequestDto,
  type DeactivateUserRequestDto,
  type Grant,
  normalizeAddress,
  type Role,
  type UpdateAdminUserRequestDto,
} from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type AuditEntry, type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import { isAdmin, loadPrincipal, type Principal, visibleClient } from '../auth/principal.ts';
import { enqueueTaskSync } from '../calendar-sync/calendar-sync.repository.ts';
import { applyGrants } from '../users/users.service.ts';
import { findAdminUser } from './admin.repository.ts';

type Actor = Pick<Principal, 'id' | 'role'>;
type Changes = Record<string, { from: unknown; to: unknown }>;

/** The normalised key of an email address, or a 400 naming `field`. */
function addressKey(value: string, field: string): string {
  const a = normalizeAddress(value);
  if (a.kind !== 'smtp') throw new AppError('VALIDATION_FAILED', `Not an email address: ${value}`, field);
  return a.key;
}

/** PostgreSQL unique violations (a concurrent create) become 409 ALREADY_EXISTS naming the field. */
export function alreadyExists(err: unknown, fields: Record<string, string>, fallback: string): never {
  const e = err as { code?: string; constraint?: string };
  if (e?.code === '23505') {
    const field = Object.entries(fields).find(([c]) => e.constraint?.includes(c))?.[1] ?? fallback;
    throw new AppError('ALREADY_EXISTS', `Another record has this value (${field})`, field);
  }
  throw err;
}

const USER_UNIQUE = {
  users_email: 'body.email',
  user_addresses: 'body.aliases',
  users_entra_identity: 'body.entraObjectId',
};

type Refs = { branchId: string | null; teamId: string | null; supervisorId: string | null };

/**
 * Checks branch, team and supervisor of a user to be: they exist; the team is in the user's branch (a team
 * without a branch given puts the user in the team's branch); the supervisor is an active supervisor, not
 * the user. Returns the resolved references.
 */
async function resolveRefs(trx: Db, userId: string | null, r: Refs): Promise<Refs> {
  let branchId = r.branchId;
  if (r.teamId) {
    const team = await trx
      .selectFrom('teams')
      .where('id', '=', r.teamId)
      .select('branch_id')
      .executeTakeFirst();
    if (!team) throw new AppError('VALIDATION_FAILED', 'No such team', 'body.teamId');
    branchId ??= team.branch_id;
    if (team.branch_id !== branchId)
      throw new AppError(
        'VALIDATION_FAILED',
        "The team belongs to another branch than the user's",
        'body.teamId',
      );
  }
  if (branchId) {
    const branch = await trx
      .selectFrom('branches')
      .where('id', '=', branchId)
      .select('id')
      .executeTakeFirst();
    if (!branch) throw new AppError('VALIDATION_FAILED', 'No such branch', 'body.branchId');
  }
  if (r.supervisorId) {
    if (r.supervisorId === userId)
      throw new AppError('VALIDATION_FAILED', 'A user cannot supervise themself', 'body.supervisorId');
    const s = await trx
      .selectFrom('users')
      .where('id', '=', r.supervisorId)
      .select(['role', 'is_active'])
      .executeTakeFirst();
    if (!s?.is_active || s.role !== 'supervisor')
      throw new AppError(
        'VALIDATION_FAILED',
        'The supervisor must be an active user with the supervisor role',
        'body.supervisorId',
      );
  }
  return { branchId, teamId: r.teamId, supervisorId: r.supervisorId };
}

async function assertAddressesFree(trx: Db, userId: string | null, keys: string[], field: string) {
  if (keys.length === 0) return;
  const taken = await trx
    .selectFrom('user_addresses')
    .where('address_key', 'in', keys)
    .$if(userId !== null, (q) => q.where('user_id', '<>', userId!))
    .select('address_key')
    .executeTakeFirst();
  if (taken) throw new AppError('ALREADY_EXISTS', `Another user is known by ${taken.address_key}`, field);
}

function entraPair(tid: string | null | undefined, oid: string | null | undefined) {
  if (Boolean(tid) !== Boolean(oid))
    throw new AppError(
      'VALIDATION_FAILED',
      'Give both the Entra tenant id and object id, or neither',
      tid ? 'body.entraObjectId' : 'body.entraTenantId',
    );
  return { tid: tid?.toLowerCase() ?? null, oid: oid?.toLowerCase() ?? null };
}

/**
 * Creates a user (what the CLI's `npm run user` does, from the admin page), with email, aliases and grants,
 * audited `user.create` with the new values in the same transaction.
 * @throws AppError VALIDATION_FAILED (field), ALREADY_EXISTS (email, alias or Entra identity taken)
 */
export async function createUser(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  input: CreateAdminUserRequestDto,
): Promise<AdminUserDto> {
  const email = addressKey(input.email, 'body.email');
  const aliases = [...new Set((input.aliases ?? []).map((a) => addressKey(a, 'body.aliases')))].filter(
    (a) => a !== email,
  );
  const entra = entraPair(input.entraTenantId, input.entraObjectId);
  const grants = [...new Set(input.grants ?? [])] as Grant[];
  try {
    const id = await db.transaction().execute(async (trx) => {
      const refs = await resolveRefs(trx, null, {
        branchId: input.branchId ?? null,
        teamId: input.teamId ?? null,
        supervisorId: input.supervisorId ?? null,
      });
      await assertAddressesFree(trx, null, [email], 'body.email');
      await assertAddressesFree(trx, null, aliases, 'body.aliases');
      const values = {
        name: input.name.trim(),
        email,
        role: input.role,
        branch_id: refs.branchId,
        team_id: refs.teamId,
        supervisor_id: refs.supervisorId,
        entra_tenant_id: entra.tid,
        entra_object_id: entra.oid,
      };
      const { id } = await trx.insertInto('users').values(values).returning('id').executeTakeFirstOrThrow();
      await trx
        .insertInto('user_addresses')
        .values([
          { address_key: email, user_id: id, kind: 'email' as const },
          ...aliases.map((a) => ({ address_key: a, user_id: id, kind: 'alias' as const })),
        ])
        .execute();
      await recordAudit(trx, actor, origin, [
        {
          action: 'user.create',
          result: 'ok',
          entity: 'user',
          entityId: id,
          details: { after: { ...values, aliases, grants } },
        },
      ]);
      await applyGrants(trx, actor, origin, id, grants);
      return id;
    });
    return (await findAdminUser(db, id))!;
  } catch (err) {
    alreadyExists(err, USER_UNIQUE, 'body.email');
  }
}

/**
 * Refuses a change that leaves no active user with admin rights (role admin or the admin grant) besides
 * `losing`. Serialised by an advisory lock: two admins deactivating each other at once must not both win.
 * @throws AppError LAST_ADMIN (409) on `field`
 */
async function assertAnotherAdminRemains(trx: Db, losing: string, field: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('crm:admin-rights'))`.execute(trx);
  const other = await trx
    .selectFrom('users as u')
    .where('u.is_active', '=', true)
    .where('u.id', '<>', losing)
    .where((eb) =>
      eb.or([
        eb('u.role', '=', 'admin'),
        eb.exists(
          eb
            .selectFrom('role_grants as g')
            .whereRef('g.user_id', '=', 'u.id')
            .where('g.grant', '=', 'admin')
            .select('g.user_id'),
        ),
      ]),
    )
    .select('u.id')
    .limit(1)
    .executeTakeFirst();
  if (!other)
    throw new AppError(
      'LAST_ADMIN',
      'This is the last active administrator: give someone else admin rights first',
      field,
    );
}

/** Loads a user for a change under its row lock and checks the version the admin saw. */
async function lockUser(trx: Db, id: string, version: number) {
  const before = await trx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!before) throw new AppError('NOT_FOUND', 'No such user', 'params.id');
  if (before.version !== version)
    throw new AppError(
      'VERSION_CONFLICT',
      'Someone changed this user since you opened it: reload and try again',
      'body.version',
    );
  return before;
}

/**
 * Changes a user's name, role, branch, team, supervisor, aliases, grants or Entra identity; audited
 * `user.update` with before/after of the changed fields (grants also as `grant.add`/`grant.remove`).
 * An admin cannot take their own admin rights away (someone must be left to give them back).
 * @throws AppError NOT_FOUND, VERSION_CONFLICT, VALIDATION_FAILED (field), ALREADY_EXISTS
 */
export async function updateUser(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  id: string,
  input: UpdateAdminUserRequestDto,
): Promise<AdminUserDto> {
  const aliases =
    input.aliases === undefined
      ? undefined
      : [...new Set(input.aliases.map((a) => addressKey(a, 'body.aliases')))];
  try {
    await db.transaction().execute(async (trx) => {
      const before = await lockUser(trx, id, input.version);
      const refs = await resolveRefs(trx, id, {
        branchId: input.branchId !== undefined ? input.branchId : input.teamId ? null : before.branch_id,
        teamId:
          input.teamId !== undefined
            ? input.teamId
            : input.branchId !== undefined && input.branchId !== before.branch_id
              ? null
              : before.team_id,
        supervisorId: input.supervisorId !== undefined ? input.supervisorId : before.supervisor_id,
      });
      const entra =
        input.entraTenantId !== undefined || input.entraObjectId !== undefined
          ? entraPair(
              input.entraTenantId !== undefined ? input.entraTenantId : before.entra_tenant_id,
              input.entraObjectId !== undefined ? input.entraObjectId : before.entra_object_id,
            )
          : { tid: before.entra_tenant_id, oid: before.entra_object_id };
      const next = {
        name: input.name?.trim() ?? before.name,
        role: (input.role ?? before.role) as Role,
        branch_id: refs.branchId,
        team_id: refs.teamId,
        supervisor_id: refs.supervisorId,
        entra_tenant_id: entra.tid,
        entra_object_id: entra.oid,
      };
      const changes: Changes = {};
      const set: Record<string, unknown> = {};
      for (const [k, to] of Object.entries(next)) {
        const from = before[k as keyof typeof next];
        if (from !== to) {
          changes[k] = { from, to };
          set[k] = to;
        }
      }
      const hadGrants = (
        await trx
          .selectFrom('role_grants')
          .where('user_id', '=', id)
          .select('grant')
          .orderBy('grant')
          .execute()
      ).map((g) => g.grant);
      const grants = input.grants ? [...new Set(input.grants)].sort() : hadGrants;
      if (id === actor.id && !isAdmin({ role: next.role, grants }))
        throw new AppError(
          'VALIDATION_FAILED',
          'You cannot take your own admin rights away',
          input.role ? 'body.role' : 'body.grants',
        );
      if (isAdmin({ role: before.role as Role, grants: hadGrants }) && !isAdmin({ role: next.role, grants }))
        await assertAnotherAdminRemains(trx, id, input.role ? 'body.role' : 'body.grants');
      if (grants.join() !== hadGrants.join()) changes.grants = { from: hadGrants, to: grants };
      if (aliases) {
        const had = (
          await trx
            .selectFrom('user_addresses')
            .where('user_id', '=', id)
            .where('kind', '=', 'alias')
            .select('address_key')
            .orderBy('address_key')
            .execute()
        ).map((a) => a.address_key);
        const want = aliases.filter((a) => a !== before.email).sort();
        if (want.join() !== had.join()) {
          await assertAddressesFree(trx, id, want, 'body.aliases');
          await trx
            .deleteFrom('user_addresses')
            .where('user_id', '=', id)
            .where('kind', '=', 'alias')
            .execute();
          if (want.length > 0)
            await trx
              .insertInto('user_addresses')
              .values(want.map((a) => ({ address_key: a, user_id: id, kind: 'alias' as const })))
              .execute();
          changes.aliases = { from: had, to: want };
        }
      }
      if (Object.keys(changes).length === 0) return;
      await trx
        .updateTable('users')
        .set({ ...set, version: sql`version + 1` })
        .where('id', '=', id)
        .execute();
      if (changes.grants) await applyGrants(trx, actor, origin, id, grants as Grant[]);
      await recordAudit(trx, actor, origin, [
        {
          action: 'user.update',
          result: 'ok',
          entity: 'user',
          entityId: id,
          details: { fields: Object.keys(changes), changes },
        },
      ]);
    });
  } catch (err) {
    alreadyExists(err, USER_UNIQUE, 'body.aliases');
  }
  return (await findAdminUser(db, id))!;
}

/** What a deactivated user leaves behind and must go to someone (counts). */
export type LeftWork = {
  openTasks: number;
  managedClients: number;
  /** Active users whose supervisor they are. */
  directReports: number;
  /** Teams they supervise. */
  supervisedTeams: number;
  /** Open credit application stages they own by name. */
  openStages: number;
};

export type DeactivateResult =
  | {
      kind: 'done';
      user: AdminUserDto;
      movedTasks: number;
      movedClients: number;
      movedReports: number;
      movedTeams: number;
      movedStages: number;
    }
  | ({ kind: 'reassignment_required' } & LeftWork);

/**
 * Deactivates a user (never deletes: history keeps pointing at them; they can no longer sign in). Their open
 * tasks (assignee) and managed clients (manager) move to `reassignTo` in the same transaction, each move in
 * the task's history and the audit log, and each moved task's calendar event follows (sync job enqueued in the
 * transaction: the event leaves the old mailbox and appears in the new one). Without `reassignTo` while
 * anything is left: `reassignment_required` with the counts, nothing changed.
 * @throws AppError NOT_FOUND, VERSION_CONFLICT, VALIDATION_FAILED (self, already inactive, bad reassignTo)
 */
export async function deactivateUser(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  id: string,
  input: DeactivateUserRequestDto,
): Promise<DeactivateResult> {
  if (id === actor.id) throw new AppError('VALIDATION_FAILED', 'You cannot deactivate yourself', 'params.id');
  const result = await db.transaction().execute(async (trx): Promise<DeactivateResult> => {
    const before = await lockUser(trx, id, input.version);
    if (!before.is_active)
      throw new AppError('VALIDATION_FAILED', 'The user is already deactivated', 'params.id');
    const targetGrants = await trx
      .selectFrom('role_grants')
      .where('user_id', '=', id)
      .select('grant')
      .execute();
    if (isAdmin({ role: before.role as Role, grants: targetGrants.map((g) => g.grant) }))
      await assertAnotherAdminRemains(trx, id, 'params.id');
    // Lock what would move, so nothing is assigned to the user between the count and the move.
    const tasks = await trx
      .selectFrom('tasks')
      .where('assignee_id', '=', id)
      .where('status', 'in', ['open', 'in_progress'])
      .select(['id', 'client_id'])
      .forUpdate()
      .execute();
    const clients = await trx
      .selectFrom('clients')
      .where('manager_id', '=', id)
      .select('id')
      .forUpdate()
      .execute();
    // A supervisor's people and teams, and credit stages owned by name, must not be left with a deactivated
    // owner either: nobody would see the team's work or act on the stage.
    const reports = await trx
      .selectFrom('users')
      .where('supervisor_id', '=', id)
      .where('is_active', '=', true)
      .select('id')
      .forUpdate()
      .execute();
    const teams = await trx
      .selectFrom('teams')
      .where('supervisor_id', '=', id)
      .select('id')
      .forUpdate()
      .execute();
    const stages = await trx
      .selectFrom('application_stages')
      .where('owner_user_id', '=', id)
      .where('completed_at', 'is', null)
      .select(['id', 'application_id'])
      .forUpdate()
      .execute();
    const left: LeftWork = {
      openTasks: tasks.length,
      managedClients: clients.length,
      directReports: reports.length,
      supervisedTeams: teams.length,
      openStages: stages.length,
    };
    const anything = Object.values(left).some((n) => n > 0);
    if (anything && !input.reassignTo) return { kind: 'reassignment_required', ...left };
    const to = input.reassignTo ?? null;
    if (to) {
      if (to === id) throw new AppError('VALIDATION_FAILED', 'Reassign to someone else', 'body.reassignTo');
      const target = await trx
        .selectFrom('users')
        .where('id', '=', to)
        .select(['is_active', 'role'])
        .forShare()
        .executeTakeFirst();
      if (!target?.is_active)
        throw new AppError('VALIDATION_FAILED', 'Reassign to an active user', 'body.reassignTo');
      if (target.role === 'admin' && (tasks.length > 0 || clients.length > 0 || stages.length > 0))
        throw new AppError(
          'VALIDATION_FAILED',
          'An administrator sees no client data: reassign to a business user',
          'body.reassignTo',
        );
      if (target.role !== 'supervisor' && (reports.length > 0 || teams.length > 0))
        throw new AppError(
          'VALIDATION_FAILED',
          `They supervise ${reports.length} user(s) and ${teams.length} team(s): reassign to a supervisor`,
          'body.reassignTo',
        );
    }
    const taskIds = tasks.map((t) => t.id);
    const clientIds = clients.map((c) => c.id);
    const audit: AuditEntry[] = [];
    if (to && taskIds.length > 0) {
      await trx
        .updateTable('tasks')
        .set({ assignee_id: to, version: sql`version + 1`, updated_at: sql`now()` })
        .where('id', 'in', taskIds)
        .execute();
      const changes = JSON.stringify({ assigneeId: { from: id, to }, reason: 'assignee_deactivated' });
      await trx
        .insertInto('task_history')
        .values(
          taskIds.map((taskId) => ({ task_id: taskId, actor_id: actor.id, action: 'updated', changes })),
        )
        .execute();
      // The tasks module has no "reassign" service yet: this is the outbox call its updateTask makes.
      for (const taskId of taskIds) await enqueueTaskSync(trx, taskId);
      for (const t of tasks)
        audit.push({
          action: 'task.update',
          result: 'ok',
          clientIds: t.client_id ? [t.client_id] : [],
          entity: 'task',
          entityId: t.id,
          details: {
            fields: ['assigneeId'],
            changes: { assigneeId: { from: id, to } },
            reason: 'assignee_deactivated',
          },
        });
    }
    if (to && clientIds.length > 0) {
      await trx
        .updateTable('clients')
        .set({ manager_id: to, version: sql`version + 1`, updated_at: sql`now()` })
        .where('id', 'in', clientIds)
        .execute();
      for (const c of clientIds)
        audit.push({
          action: 'client.update',
          result: 'ok',
          clientIds: [c],
          entity: 'client',
          entityId: c,
          details: {
            fields: ['managerId'],
            changes: { managerId: { from: id, to } },
            reason: 'manager_deactivated',
          },
        });
    }
    if (to && reports.length > 0) {
      await trx
        .updateTable('users')
        .set({ supervisor_id: to, version: sql`version + 1` })
        .where(
          'id',
          'in',
          reports.map((r) => r.id),
        )
        .execute();
      for (const r of reports)
        audit.push({
          action: 'user.update',
          result: 'ok',
          clientIds: [],
          entity: 'user',
          entityId: r.id,
          details: {
            fields: ['supervisorId'],
            changes: { supervisorId: { from: id, to } },
            reason: 'supervisor_deactivated',
          },
        });
    }
    if (to && teams.length > 0) {
      await trx
        .updateTable('teams')
        .set({ supervisor_id: to, version: sql`version + 1` })
        .where(
          'id',
          'in',
          teams.map((t) => t.id),
        )
        .execute();
      for (const t of teams)
        audit.push({
          action: 'team.update',
          result: 'ok',
          clientIds: [],
          entity: 'team',
          entityId: t.id,
          details: {
            fields: ['supervisorId'],
            changes: { supervisorId: { from: id, to } },
            reason: 'supervisor_deactivated',
          },
        });
    }
    if (to && stages.length > 0) {
      // After the moves above (clients, people, teams) the successor must be able to open every application,
      // as a supervisor's reassignment requires: else the stage would sit with someone who gets a 404.
      const successor = await loadPrincipal(trx, to);
      const blind = successor
        ? await trx
            .selectFrom('credit_applications as a')
            .innerJoin('clients as c', 'c.id', 'a.client_id')
            .where(
              'a.id',
              'in',
              stages.map((st) => st.application_id),
            )
            .where((eb) => eb.not(visibleClient(successor)))
            .select(sql<number>`count(*)::int`.as('n'))
            .executeTakeFirstOrThrow()
        : { n: stages.length };
      if (blind.n > 0)
        throw new AppError(
          'VALIDATION_FAILED',
          `${blind.n} of their open credit stage(s) are on clients the chosen user cannot open: choose someone who serves them`,
          'body.reassignTo',
        );
      // The stage tasks already moved with the open tasks above; the stage's owner follows them.
      await trx
        .updateTable('application_stages')
        .set({ owner_user_id: to })
        .where(
          'id',
          'in',
          stages.map((st) => st.id),
        )
        .execute();
      for (const st of stages)
        audit.push({
          action: 'credit_application.stage_reassign',
          result: 'ok',
          clientIds: [],
          entity: 'credit_application',
          entityId: st.application_id,
          details: { stageId: st.id, ownerId: { from: id, to }, reason: 'owner_deactivated' },
        });
    }
    await trx
      .updateTable('users')
      .set({ is_active: false, deactivated_at: sql`now()`, version: sql`version + 1` })
      .where('id', '=', id)
      .execute();
    audit.unshift({
      action: 'user.deactivate',
      result: 'ok',
      clientIds,
      entity: 'user',
      entityId: id,
      details: {
        fields: ['isActive'],
        changes: { isActive: { from: true, to: false } },
        reassignTo: to,
        movedTasks: taskIds,
        movedClients: clientIds,
        movedReports: reports.map((r) => r.id),
        movedTeams: teams.map((t) => t.id),
        movedStages: stages.map((st) => st.id),
      },
    });
    await recordAudit(trx, actor, origin, audit);
    return {
      kind: 'done',
      user: undefined as never,
      movedTasks: taskIds.length,
      movedClients: clientIds.length,
      movedReports: reports.length,
      movedTeams: teams.length,
      movedStages: stages.length,
    };
  });
  if (result.kind === 'done') result.user = (await findAdminUser(db, id))!;
  return result;
}

import { AppError, type Grant, normalizeAddress, type Role } from '@crm/shared';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';

export type ProvisionUserInput = {
  email: string;
  name: string;
  role: Role;
  /** Branch code (e.g. `MSK-01`); null for none. */
  branchCode: string | null;
  /** Email of the user's supervisor, if any. */
  supervisorEmail?: string | null;
  /** Entra ID identity: how the user signs in (both or neither). */
  entraTenantId?: string | null;
  entraObjectId?: string | null;
  /** The complete set of grants the user should have (others are revoked). */
  grants: Grant[];
};

/**
 * Creates or updates a CRM user by email (what an admin does before a colleague's first Entra ID sign-in),
 * sets their grants, and audits every change with before/after (`user.provision`, `user.update`,
 * `grant.add`, `grant.remove`) in the same transaction.
 * @throws AppError VALIDATION_FAILED for an unknown branch/supervisor or a half Entra identity
 */
export async function provisionUser(
  db: Db,
  actor: Pick<Principal, 'id' | 'role'> | null,
  origin: RequestOrigin,
  input: ProvisionUserInput,
): Promise<{ id: string; created: boolean }> {
  const email = normalizeAddress(input.email);
  if (email.kind !== 'smtp') throw new AppError('VALIDATION_FAILED', 'Not an email address', 'email');
  if (Boolean(input.entraTenantId) !== Boolean(input.entraObjectId))
    throw new AppError(
      'VALIDATION_FAILED',
      'Give both the Entra tenant id and object id, or neither',
      'entra',
    );
  return db.transaction().execute(async (trx) => {
    const branch = input.branchCode
      ? await trx.selectFrom('branches').where('code', '=', input.branchCode).select('id').executeTakeFirst()
      : null;
    if (input.branchCode && !branch) throw new AppError('VALIDATION_FAILED', 'No such branch', 'branch');
    const supervisor = input.supervisorEmail
      ? await trx
          .selectFrom('users')
          .where('email', '=', normalizeAddress(input.supervisorEmail).key)
          .select('id')
          .executeTakeFirst()
      : null;
    if (input.supervisorEmail && !supervisor)
      throw new AppError('VALIDATION_FAILED', 'No such supervisor', 'supervisor');
    const values = {
      name: input.name.trim(),
      role: input.role,
      branch_id: branch?.id ?? null,
      supervisor_id: supervisor?.id ?? null,
      entra_tenant_id: input.entraTenantId?.toLowerCase() ?? null,
      entra_object_id: input.entraObjectId?.toLowerCase() ?? null,
    };
    const before = await trx
      .selectFrom('users')
      .where('email', '=', email.key)
      .selectAll()
      .executeTakeFirst();
    let id: string;
    if (before) {
      id = before.id;
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [k, to] of Object.entries(values)) {
        const from = before[k as keyof typeof values];
        if (from !== to) changes[k] = { from, to };
      }
      if (Object.keys(changes).length > 0) {
        await trx.updateTable('users').set(values).where('id', '=', id).execute();
        await recordAudit(trx, actor, origin, [
          { action: 'user.update', result: 'ok', entity: 'user', entityId: id, details: { changes } },
        ]);
      }
    } else {
      ({ id } = await trx
        .insertInto('users')
        .values({ ...values, email: email.key })
        .returning('id')
        .executeTakeFirstOrThrow());
      await trx
        .insertInto('user_addresses')
        .values({ address_key: email.key, user_id: id, kind: 'email' })
        .onConflict((oc) => oc.doNothing())
        .execute();
      await recordAudit(trx, actor, origin, [
        { action: 'user.provision', result: 'ok', entity: 'user', entityId: id, details: { after: values } },
      ]);
    }
    await applyGrants(trx, actor, origin, id, input.grants);
    return { id, created: !before };
  });
}

/**
 * Makes `grants` the user's complete set of grants: adds the missing, revokes the others, and audits each
 * (`grant.add`, `grant.remove`). Call it inside the transaction of the user change. Returns what changed.
 */
export async function applyGrants(
  trx: Db,
  actor: Pick<Principal, 'id' | 'role'> | null,
  origin: RequestOrigin,
  id: string,
  grants: Grant[],
): Promise<{ before: Grant[]; add: Grant[]; remove: Grant[] }> {
  const had = (await trx.selectFrom('role_grants').where('user_id', '=', id).select('grant').execute()).map(
    (g) => g.grant,
  );
  const add = grants.filter((g) => !had.includes(g));
  const remove = had.filter((g) => !grants.includes(g));
  for (const grant of add)
    await trx
      .insertInto('role_grants')
      .values({ user_id: id, grant, granted_by: actor?.id ?? null })
      .execute();
  if (remove.length > 0)
    await trx.deleteFrom('role_grants').where('user_id', '=', id).where('grant', 'in', remove).execute();
  await recordAudit(trx, actor, origin, [
    ...add.map((grant) => ({
      action: 'grant.add',
      result: 'ok' as const,
      entity: 'user',
      entityId: id,
      details: { grant },
    })),
    ...remove.map((grant) => ({
      action: 'grant.remove',
      result: 'ok' as const,
      entity: 'user',
      entityId: id,
      details: { grant },
    })),
  ]);
  return { before: had, add, remove };
}

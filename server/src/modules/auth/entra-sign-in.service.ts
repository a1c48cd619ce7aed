import { AppError, normalizeAddress, type Role } from '@crm/shared';
import type { EntraConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import { mappedRoleFor } from '../m365/role-mappings.service.ts';
import type { EntraIdentity } from './entra-token.ts';
import { loadPrincipalByEntraId, type Principal } from './principal.ts';

const notProvisioned = (detail = '') =>
  new AppError(
    'USER_NOT_PROVISIONED',
    `Your Microsoft 365 account is not set up in the CRM${detail}: ask a CRM administrator to add you`,
  );

/** The CRM role CRM_ENTRA_ROLE_MAPPING gives this identity (first matching entry), or null. */
export function mappedRole(config: EntraConfig, identity: EntraIdentity): Role | null {
  const claims = new Set([...identity.roles, ...identity.groups]);
  return config.roleMapping.find((m) => claims.has(m.claim))?.role ?? null;
}

/**
 * The principal of a verified Entra ID identity, found by `tid` + `oid`. With role mapping configured (the admin
 * page's `entra_role_mappings`, else CRM_ENTRA_ROLE_MAPPING), an
 * unknown user whose `roles`/`groups` map to a CRM role is provisioned, and a known user's role follows the
 * mapping (each audited in the transaction of the change); without a mapped role the stored role stands.
 * @throws AppError USER_NOT_PROVISIONED (403) for an unknown user without a mapped role, FORBIDDEN when deactivated
 */
export async function principalForEntraIdentity(
  db: Db,
  config: EntraConfig,
  identity: EntraIdentity,
  origin: RequestOrigin,
): Promise<Principal> {
  // The admin page's mappings when any is saved, else CRM_ENTRA_ROLE_MAPPING.
  const role = await mappedRoleFor(db, config, identity);
  // The common case, one query: a known, active user whose role the mapping leaves as it is.
  const known = await loadPrincipalByEntraId(db, identity.tid, identity.oid);
  if (known && (!role || role === known.role)) return known;
  const existing = await db
    .selectFrom('users')
    .where('entra_tenant_id', '=', identity.tid)
    .where('entra_object_id', '=', identity.oid)
    .select(['id', 'role', 'is_active'])
    .executeTakeFirst();
  if (existing && !existing.is_active)
    throw new AppError('FORBIDDEN', 'Your CRM account is deactivated: ask a CRM administrator');
  if (existing && role && role !== existing.role) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ role }).where('id', '=', existing.id).execute();
      await recordAudit(trx, { id: existing.id, role }, origin, [
        {
          action: 'user.role_change',
          result: 'ok',
          entity: 'user',
          entityId: existing.id,
          details: { from: existing.role, to: role, source: 'entra_role_mapping' },
        },
      ]);
    });
  }
  if (!existing) {
    if (!role) throw notProvisioned();
    try {
      await provision(db, identity, role, origin);
    } catch (err) {
      // Two first requests at once: the other one provisioned the user.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
  const principal = await loadPrincipalByEntraId(db, identity.tid, identity.oid);
  if (!principal) throw notProvisioned();
  return principal;
}

async function provision(db: Db, identity: EntraIdentity, role: Role, origin: RequestOrigin): Promise<void> {
  const username = identity.username ? normalizeAddress(identity.username) : null;
  // users.email is unique and shown in the UI: the UPN when it is an address, else a stable synthetic one.
  const email = username?.kind === 'smtp' ? username.key : `${identity.oid}@${identity.tid}.entra.invalid`;
  await db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('users').where('email', '=', email).select('id').executeTakeFirst();
    // Never link by email (docs/microsoft.md): an existing user with this address must be linked by an admin.
    if (taken)
      throw notProvisioned(' (a CRM user with your address exists but is not linked to your account)');
    const { id } = await trx
      .insertInto('users')
      .values({
        name: identity.name?.trim() || email,
        email,
        role,
        branch_id: null,
        supervisor_id: null,
        entra_tenant_id: identity.tid,
        entra_object_id: identity.oid,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (username?.kind === 'smtp')
      await trx
        .insertInto('user_addresses')
        .values({ address_key: username.key, user_id: id, kind: 'email' })
        .onConflict((oc) => oc.doNothing())
        .execute();
    await recordAudit(trx, { id, role }, origin, [
      {
        action: 'user.provision',
        result: 'ok',
        entity: 'user',
        entityId: id,
        details: { role, source: 'entra_role_mapping' },
      },
    ]);
  });
}

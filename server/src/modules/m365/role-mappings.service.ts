import {
  AppError,
  type CreateEntraRoleMappingDto,
  type EntraRoleMappingDto,
  type EntraRoleMappingListDto,
  type Role,
} from '@crm/shared';
import type { EntraConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { EntraIdentity } from '../auth/entra-token.ts';
import type { Principal } from '../auth/principal.ts';

// Entra app roles / groups -> CRM roles, kept on the admin page. When any mapping is saved, they replace
// CRM_ENTRA_ROLE_MAPPING at sign-in; a change applies to the next request (cache of a few seconds per
// process, cleared at once in the process that saved it).

type Actor = Pick<Principal, 'id' | 'role'>;
type Mapping = { kind: 'app_role' | 'group'; value: string; role: Role };

const CACHE_MS = 3000;
const cache = new WeakMap<Db, { at: number; rows: Mapping[] }>();

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function savedMappings(db: Db): Promise<Mapping[]> {
  const hit = cache.get(db);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.rows;
  const rows = await db
    .selectFrom('entra_role_mappings')
    .select(['kind', 'value', 'role'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  cache.set(db, { at: Date.now(), rows });
  return rows;
}

/**
 * The CRM role an Entra identity maps to, or null: the admin page's mappings when any is saved (app roles
 * against the token's `roles`, groups against `groups`; first saved wins), else CRM_ENTRA_ROLE_MAPPING.
 */
export async function mappedRoleFor(
  db: Db,
  config: EntraConfig,
  identity: EntraIdentity,
): Promise<Role | null> {
  const saved = await savedMappings(db);
  if (saved.length === 0) {
    const claims = new Set([...identity.roles, ...identity.groups]);
    return config.roleMapping.find((m) => claims.has(m.claim))?.role ?? null;
  }
  const roles = new Set(identity.roles);
  const groups = new Set(identity.groups.map((g) => g.toLowerCase()));
  return saved.find((m) => (m.kind === 'app_role' ? roles.has(m.value) : groups.has(m.value)))?.role ?? null;
}

const toDto = (r: {
  id: string;
  kind: 'app_role' | 'group';
  value: string;
  role: Role;
  version: number;
  created_at: unknown;
}): EntraRoleMappingDto => ({
  id: r.id,
  kind: r.kind,
  value: r.value,
  role: r.role,
  version: r.version,
  createdAt: new Date(r.created_at as Date).toISOString(),
});

/** The saved mappings (oldest first: the first match wins) and the env mapping used while none is saved. */
export async function listRoleMappings(
  db: Db,
  envMapping: EntraConfig['roleMapping'],
): Promise<EntraRoleMappingListDto> {
  const rows = await db
    .selectFrom('entra_role_mappings')
    .select(['id', 'kind', 'value', 'role', 'version', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return { items: rows.map(toDto), envFallback: envMapping.map((m) => ({ claim: m.claim, role: m.role })) };
}

/** @throws AppError VALIDATION_FAILED (a group that is not an object id), ALREADY_EXISTS (same kind + value) */
export async function createRoleMapping(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  input: CreateEntraRoleMappingDto,
): Promise<EntraRoleMappingDto> {
  const value = input.kind === 'group' ? input.value.toLowerCase() : input.value;
  if (input.kind === 'group' && !GUID.test(value))
    throw new AppError('VALIDATION_FAILED', 'A group is named by its object id (GUID)', 'body.value');
  try {
    const row = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('entra_role_mappings')
        .values({ kind: input.kind, value, role: input.role, created_by: actor.id })
        .returning(['id', 'kind', 'value', 'role', 'version', 'created_at'])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actor, origin, [
        {
          action: 'entra_role_mapping.create',
          result: 'ok',
          entity: 'entra_role_mapping',
          entityId: row.id,
          details: { after: { kind: row.kind, value: row.value, role: row.role } },
        },
      ]);
      return row;
    });
    cache.delete(db);
    return toDto(row);
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw new AppError('ALREADY_EXISTS', 'This app role or group is already mapped', 'body.value');
    throw err;
  }
}

/** @throws AppError NOT_FOUND */
export async function deleteRoleMapping(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  id: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .deleteFrom('entra_role_mappings')
      .where('id', '=', id)
      .returning(['kind', 'value', 'role'])
      .executeTakeFirst();
    if (!before) throw new AppError('NOT_FOUND', 'No such role mapping', 'params.id');
    await recordAudit(trx, actor, origin, [
      {
        action: 'entra_role_mapping.delete',
        result: 'ok',
        entity: 'entra_role_mapping',
        entityId: id,
        details: { before },
      },
    ]);
  });
  cache.delete(db);
}

import type { Db } from '../../db/database.ts';

export type Colleague = { id: string; name: string; email: string };

/** Bank users known by any of the normalised address keys (email, alias, LegacyExchangeDN), by key. */
export async function findColleaguesByAddressKeys(db: Db, keys: string[]): Promise<Map<string, Colleague>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('user_addresses as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .where('a.address_key', 'in', keys)
    .select(['a.address_key as key', 'u.id', 'u.name', 'u.email'])
    .execute();
  return new Map(rows.map((r) => [r.key, { id: r.id, name: r.name, email: r.email }]));
}

import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type Principal, visibleClient } from '../auth/principal.ts';

export type Colleague = { id: string; name: string; email: string };
export type ClientMatch = { key: string; clientId: string; visible: boolean };

/**
 * In one round trip: which address keys belong to bank users (email, alias, LegacyExchangeDN) and which
 * clients use each email key, with whether the principal may see them. Both lookups are index probes
 * (`user_addresses` primary key, `contact_points (value_normalized, client_id)`).
 */
export async function resolveAddressKeys(
  db: Db,
  p: Principal,
  keys: string[],
): Promise<{ colleagues: Map<string, Colleague>; matches: ClientMatch[] }> {
  if (keys.length === 0) return { colleagues: new Map(), matches: [] };
  const rows = await db
    .selectFrom('user_addresses as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .where('a.address_key', '=', sql<string>`any(${keys}::text[])`)
    .select([
      sql<'colleague' | 'client'>`'colleague'`.as('kind'),
      'a.address_key as key',
      'u.id',
      'u.name',
      'u.email',
      sql<boolean>`true`.as('visible'),
    ])
    .unionAll(
      db
        .selectFrom('contact_points as cp')
        .innerJoin('clients as c', 'c.id', 'cp.client_id')
        .where('cp.kind', '=', 'email')
        .where('cp.value_normalized', '=', sql<string>`any(${keys}::text[])`)
        .select([
          sql<'colleague' | 'client'>`'client'`.as('kind'),
          'cp.value_normalized as key',
          'c.id',
          'c.display_name as name',
          sql<string>`''`.as('email'),
          visibleClient(p).as('visible'),
        ]),
    )
    .execute();
  const colleagues = new Map<string, Colleague>();
  const matches: ClientMatch[] = [];
  for (const r of rows) {
    if (r.kind === 'colleague') colleagues.set(r.key, { id: r.id, name: r.name, email: r.email });
    else matches.push({ key: r.key, clientId: r.id, visible: Boolean(r.visible) });
  }
  return { colleagues, matches };
}

import {
  AppError,
  type ClientCardDto,
  type ClientSearchResultDto,
  foldName,
  normalizeAddress,
  normalizePhone,
  PERSONAL_DATA_FIELDS,
} from '@crm/shared';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import { findClientCards, searchClients } from './clients.repository.ts';

/**
 * Searches visible clients. The query is read as an INN (10/12 digits), an email, a phone (7+ digits
 * with phone punctuation) or else a name. Search hits are audited (ids only, not the query text).
 */
export async function searchClientsFor(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  raw: string,
  limit: number,
): Promise<ClientSearchResultDto> {
  const q = raw.trim();
  let items: ClientSearchResultDto['items'];
  let kind: 'inn' | 'email' | 'phone' | 'name';
  if (/^\d{10}$|^\d{12}$/.test(q)) {
    kind = 'inn';
    items = await searchClients(db, p, { inn: q }, limit);
  } else if (q.includes('@')) {
    kind = 'email';
    items = await searchClients(db, p, { email: normalizeAddress(q).key }, limit);
  } else if (/^[+\d\s()-]{7,}$/.test(q) && normalizePhone(q)) {
    kind = 'phone';
    items = await searchClients(db, p, { phone: normalizePhone(q)! }, limit);
  } else {
    kind = 'name';
    const name = foldName(q);
    // "%%", "ООО" or «» fold to nothing: such a query would list arbitrary clients.
    if (name.replace(/[\s-]/g, '').length < 2) {
      throw new AppError(
        'VALIDATION_FAILED',
        'querystring.q: give at least two letters or digits of a name, an INN, an email or a phone',
        'querystring.q',
      );
    }
    items = await searchClients(db, p, { name }, limit);
  }
  // Every search is recorded, hits or not (an empty answer can be a probe); never the query text itself.
  await recordAudit(db, p, origin, [
    {
      action: 'client.search',
      result: 'ok',
      clientIds: items.map((i) => i.id),
      details: { by: kind, hits: items.length, fields: ['displayName', 'status', 'inn', 'manager'] },
    },
  ]);
  return { items };
}

/** The full card of one client, or null when it does not exist or is not visible (audited as denied). */
export async function getClientCard(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
): Promise<ClientCardDto | null> {
  const [card] = await findClientCards(db, p, [id]);
  if (card) {
    // Which personal-data fields this read revealed (names only) and which were masked.
    const personal = card.individual ? PERSONAL_DATA_FIELDS.filter((f) => !card.masked.includes(f)) : [];
    await recordAudit(db, p, origin, [
      {
        action: 'client.read',
        result: 'ok',
        clientIds: [id],
        details: { view: 'card', personalDataShown: personal, personalDataMasked: card.masked },
      },
    ]);
    return card;
  }
  const exists = await db.selectFrom('clients').where('id', '=', id).select('id').executeTakeFirst();
  if (exists)
    await recordAudit(db, p, origin, [{ action: 'client.read', result: 'denied', clientIds: [id] }]);
  return null;
}

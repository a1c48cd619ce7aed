import {
  type ClientCardDto,
  type MailContextRequestDto,
  type MailContextResponseDto,
  normalizeAddress,
  type ResolvedParticipantDto,
} from '@crm/shared';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import { findClientCards, findClientsByEmailKeys } from '../clients/clients.repository.ts';
import { findColleaguesByAddressKeys } from './colleagues.repository.ts';

type Group = {
  key: string;
  kind: 'smtp' | 'exchange-dn' | 'invalid';
  displayName: string;
  rawAddress: string;
  roles: string[];
};

/**
 * Resolves the open item's participants to what they are to the bank (client cards, colleague, restricted,
 * unknown), for the principal. The user themself (by any alias, incl. a UPN: office-js#5144) is left out;
 * empty addresses (Sent Items: office-js#577) are skipped; LegacyExchangeDNs (office-js#3701) are matched
 * only against colleagues, never as email. Every card shown and every refused match is audited.
 */
export async function resolveMailContext(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  req: MailContextRequestDto,
): Promise<MailContextResponseDto> {
  const self = new Set(p.addressKeys);
  for (const a of req.userAddresses) {
    const n = normalizeAddress(a);
    if (n.kind === 'smtp' || n.kind === 'exchange-dn') self.add(n.key);
  }

  const groups = new Map<string, Group>();
  for (const part of req.participants) {
    const n = normalizeAddress(part.emailAddress);
    if (n.kind === 'empty' || self.has(n.key)) continue;
    const group = groups.get(n.key);
    if (group) {
      if (!group.roles.includes(part.role)) group.roles.push(part.role);
      if (!group.displayName && part.displayName) group.displayName = part.displayName.trim();
    } else {
      groups.set(n.key, {
        key: n.key,
        kind: n.kind,
        displayName: part.displayName.trim(),
        rawAddress: part.emailAddress.trim(),
        roles: [part.role],
      });
    }
  }

  const lookupKeys = [...groups.values()].filter((g) => g.kind !== 'invalid').map((g) => g.key);
  const colleagues = await findColleaguesByAddressKeys(db, lookupKeys);
  // A colleague reached through an alias we did not know the user by is still the user.
  for (const [key, c] of colleagues) if (c.id === p.id) groups.delete(key);

  const emailKeys = [...groups.values()]
    .filter((g) => g.kind === 'smtp' && !colleagues.has(g.key))
    .map((g) => g.key);
  const matches = await findClientsByEmailKeys(db, p, emailKeys);
  const visibleIds = [...new Set(matches.filter((m) => m.visible).map((m) => m.clientId))];
  const cards = new Map((await findClientCards(db, p, visibleIds)).map((c) => [c.id, c]));

  const participants: ResolvedParticipantDto[] = [];
  const denied = new Set<string>();
  for (const g of groups.values()) {
    const base = {
      displayName: g.displayName,
      emailAddress: g.kind === 'smtp' ? g.key : g.rawAddress,
      addressKind: g.kind,
      roles: g.roles,
    } as const;
    const colleague = colleagues.get(g.key);
    if (colleague) {
      participants.push({ ...base, resolution: 'colleague', clients: [], colleague });
      continue;
    }
    const mine = matches.filter((m) => m.key === g.key);
    const shown: ClientCardDto[] = mine.flatMap((m) => (m.visible ? (cards.get(m.clientId) ?? []) : []));
    for (const m of mine) if (!m.visible) denied.add(m.clientId);
    const resolution = shown.length > 0 ? 'client' : mine.length > 0 ? 'restricted' : 'unknown';
    participants.push({ ...base, resolution, clients: shown, colleague: null });
  }

  await recordAudit(db, p, origin, [
    ...(cards.size > 0
      ? [{ action: 'client.read', result: 'ok' as const, clientIds: [...cards.keys()] }]
      : []),
    ...(denied.size > 0
      ? [{ action: 'client.read', result: 'denied' as const, clientIds: [...denied] }]
      : []),
  ]);
  return { participants };
}

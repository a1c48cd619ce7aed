import {
  type ClientCardDto,
  type MailContextRequestDto,
  type MailContextResponseDto,
  normalizeAddress,
  type ResolvedParticipantDto,
  stripBidiControls,
} from '@crm/shared';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import { findClientCards } from '../clients/clients.repository.ts';
import { resolveAddressKeys } from './participants.repository.ts';

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
      if (!group.displayName && part.displayName)
        group.displayName = stripBidiControls(part.displayName).trim();
    } else {
      groups.set(n.key, {
        key: n.key,
        kind: n.kind,
        displayName: stripBidiControls(part.displayName).trim(),
        rawAddress: part.emailAddress.trim(),
        roles: [part.role],
      });
    }
  }

  const lookupKeys = [...groups.values()].filter((g) => g.kind !== 'invalid').map((g) => g.key);
  const { colleagues, matches: allMatches } = await resolveAddressKeys(db, p, lookupKeys);
  // A colleague reached through an alias we did not know the user by is still the user.
  for (const [key, c] of colleagues) if (c.id === p.id) groups.delete(key);
  // A bank user's address is a colleague, whatever client records may also list it; a DN is never an email.
  const matches = allMatches.filter((m) => !colleagues.has(m.key) && groups.get(m.key)?.kind === 'smtp');
  const visibleIds = [...new Set(matches.filter((m) => m.visible).map((m) => m.clientId))];
  const deniedIds = [...new Set(matches.filter((m) => !m.visible).map((m) => m.clientId))];

  // The cards and the audit record of their reading go out together; the answer waits for both, so no
  // card is shown unless its read was recorded.
  const [cardList] = await Promise.all([
    findClientCards(db, p, visibleIds),
    recordAudit(db, p, origin, [
      ...(visibleIds.length > 0
        ? [{ action: 'client.read', result: 'ok' as const, clientIds: visibleIds }]
        : []),
      ...(deniedIds.length > 0
        ? [{ action: 'client.read', result: 'denied' as const, clientIds: deniedIds }]
        : []),
    ]),
  ]);
  const cards = new Map(cardList.map((c) => [c.id, c]));

  const participants: ResolvedParticipantDto[] = [];
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
    const resolution = shown.length > 0 ? 'client' : mine.length > 0 ? 'restricted' : 'unknown';
    participants.push({ ...base, resolution, clients: shown, colleague: null });
  }

  return { participants };
}

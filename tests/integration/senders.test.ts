import type { MailContextResponseDto, ParticipantDto } from '@crm/shared';
import { afterEach, describe, expect, it } from 'vitest';
import senders from '../fixtures/senders.json' with { type: 'json' };
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg } from '../support/fixtures.ts';

// Every case of ../shared/cases/senders.json (copied to tests/fixtures): seed the case's CRM records,
// send the item as Office.js presents it, and check what the pane would be told.

type Addr = { displayName: string; emailAddress: string };
type Case = (typeof senders.cases)[number] & {
  item: null | {
    itemType: string;
    from?: Addr;
    to?: Addr[];
    cc?: Addr[];
    organizer?: Addr;
    requiredAttendees?: Addr[];
    optionalAttendees?: Addr[];
  };
  crm?: {
    clients?: { ref: string; kind: string; name: string; emails?: string[]; manager?: string }[];
    users?: { ref: string; name: string; email: string; aliases?: string[]; legacyExchangeDn?: string }[];
    relations?: { from: string; to: string; role: string }[];
  };
  expect: {
    cards?: string[];
    unresolved?: string[];
    colleagues?: string[];
    restricted?: boolean;
    choice?: boolean;
    related?: Record<string, string[]>;
  };
};

function participantsOf(item: NonNullable<Case['item']>): ParticipantDto[] {
  const list: ParticipantDto[] = [];
  const add = (role: ParticipantDto['role'], a?: Addr | Addr[]) => {
    for (const x of Array.isArray(a) ? a : a ? [a] : []) list.push({ role, ...x });
  };
  add('from', item.from);
  add('to', item.to);
  add('cc', item.cc);
  add('organizer', item.organizer);
  add('requiredAttendee', item.requiredAttendees);
  add('optionalAttendee', item.optionalAttendees);
  return list;
}

let tdb: TestDatabase | undefined;
afterEach(async () => {
  await tdb?.destroy();
  tdb = undefined;
});

const cases = (senders.cases as Case[]).filter((c) => c.item !== null);

describe('mail-context resolves every sender case of senders.json', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    tdb = await createTestDatabase();
    const { db } = tdb;
    const org = await createOrg(
      db,
      (c.crm?.users ?? []).map((u) => ({
        key: u.ref,
        name: u.name,
        email: u.email,
        aliases: u.aliases,
        legacyExchangeDn: u.legacyExchangeDn,
      })),
    );
    const refs = new Map<string, { id: string; name: string }>();
    for (const cl of c.crm?.clients ?? []) {
      const id = await createClient(db, org, {
        kind: cl.kind as 'individual' | 'legal_entity',
        name: cl.name,
        emails: cl.emails,
        manager: cl.manager ? 'rmOther' : 'rm1',
      });
      refs.set(cl.ref, { id, name: cl.name });
    }
    for (const r of c.crm?.relations ?? []) {
      await db
        .insertInto('client_relations')
        .values({
          from_client_id: refs.get(r.from)!.id,
          to_client_id: refs.get(r.to)!.id,
          role: r.role as 'director',
        })
        .execute();
    }
    const app = await buildTestApp(db);
    const token = await tokenFor(app, 'rm1@bank.example');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mail-context',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        itemType: c.item!.itemType,
        participants: participantsOf(c.item!),
        userAddresses: [
          (c as { userProfile?: { emailAddress: string } }).userProfile?.emailAddress ?? 'rm1@bank.example',
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<MailContextResponseDto>();
    const cards = body.participants.flatMap((p) => p.clients.map((cl) => cl.id));
    const expectedCards = (c.expect.cards ?? []).map((r) => refs.get(r)!.id);
    expect(new Set(cards)).toEqual(new Set(expectedCards));

    // The user never appears as a participant, by any of their addresses.
    for (const p of body.participants)
      expect(p.emailAddress).not.toMatch(/^(rm1@bank\.example|r\.one@corp\.bank\.example)$/);
    if (c.expect.unresolved) {
      expect(body.participants.filter((p) => p.resolution === 'unknown').map((p) => p.emailAddress)).toEqual(
        c.expect.unresolved,
      );
    }
    if (c.expect.colleagues) {
      const colleagues = body.participants
        .filter((p) => p.resolution === 'colleague')
        .map((p) => p.colleague?.id);
      expect(colleagues).toEqual(c.expect.colleagues.map((r) => org.users[r]));
    }
    if (c.expect.restricted) {
      const restricted = body.participants.filter((p) => p.resolution === 'restricted');
      expect(restricted).toHaveLength(1);
      // Nothing of the hidden client leaks: no cards, no name.
      expect(restricted[0]!.clients).toEqual([]);
      expect(res.body).not.toContain('Private Client');
      const denied = await db.selectFrom('audit_events').where('result', '=', 'denied').selectAll().execute();
      expect(denied.map((e) => e.client_ids)).toEqual([[refs.get('A')!.id]]);
    }
    if (c.expect.choice) {
      expect(body.participants.some((p) => p.resolution === 'client' && p.clients.length > 1)).toBe(true);
    }
    for (const [from, tos] of Object.entries(c.expect.related ?? {})) {
      const card = body.participants.flatMap((p) => p.clients).find((cl) => cl.id === refs.get(from)!.id)!;
      expect(card.related.map((r) => r.clientId)).toEqual(tos.map((t) => refs.get(t)!.id));
    }
    await app.close();
  });
});

describe('mail-context address handling beyond the listed values', () => {
  it('matches mailto:, angle brackets and upper-case Unicode domains to the stored address', async () => {
    tdb = await createTestDatabase();
    const org = await createOrg(tdb.db);
    const id = await createClient(tdb.db, org, {
      kind: 'legal_entity',
      name: 'ООО Пример',
      emails: ['Office@Пример.РФ'],
    });
    const app = await buildTestApp(tdb.db);
    const token = await tokenFor(app, 'rm1@bank.example');
    for (const raw of ['mailto:OFFICE@xn--e1afmkfd.xn--p1ai', '<office@пример.рф>', ' office@ПРИМЕР.рф ']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/mail-context',
        headers: { authorization: `Bearer ${token}` },
        payload: {
          itemType: 'message',
          participants: [{ role: 'from', displayName: '', emailAddress: raw }],
          userAddresses: [],
        },
      });
      expect(
        res.json<MailContextResponseDto>().participants[0]?.clients.map((c) => c.id),
        raw,
      ).toEqual([id]);
    }
    await app.close();
  });

  it('shows an unknown LegacyExchangeDN as unresolved and never searches it as an email', async () => {
    tdb = await createTestDatabase();
    await createOrg(tdb.db);
    const app = await buildTestApp(tdb.db);
    const token = await tokenFor(app, 'rm1@bank.example');
    const dn =
      '/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc-someone';
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mail-context',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        itemType: 'message',
        participants: [{ role: 'from', displayName: 'Someone', emailAddress: dn }],
        userAddresses: [],
      },
    });
    const [p] = res.json<MailContextResponseDto>().participants;
    expect(p).toMatchObject({ resolution: 'unknown', addressKind: 'exchange-dn', displayName: 'Someone' });
    await app.close();
  });
});

import { createHash } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../../server/src/db/database.ts';
import type { Org } from '../support/fixtures.ts';

// The access-matrix rules of the interactions and prospects routes (access-matrix.test.ts spreads them into
// its RULES): who may log, read, download, unlink, check duplicates, create prospects, add contact points,
// and the audit event each call leaves.

type Who = 'rm' | 'supervisor' | 'creditOfficer' | 'admin' | 'rmWithAdminGrant';
type Target = 'own' | 'other';
type Audit = { action: string; result: 'ok' | 'denied'; withClient: boolean } | null;

export type InteractionMatrixFixtures = {
  /** An interaction linked to each target client (logged by rm1), with one attachment. */
  logged: Record<Target, { id: string; sha256: string; messageId: string }>;
  /** A separate interaction per (who, target) for DELETE, so each allowed delete removes its own link. */
  toUnlink: Record<Who, Record<Target, string>>;
};

type Ctx = {
  clients: Record<Target, string>;
  inn: Record<Target, string>;
  interactions: InteractionMatrixFixtures;
};
type Rule = {
  request: (c: Ctx, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  check?: (res: LightMyRequestResponse, c: Ctx, who: Who, target: Target) => void;
  audit?: (who: Who, target: Target) => Audit;
};

async function insertLoggedInteraction(db: Db, org: Org, clientId: string, key: string) {
  const content = Buffer.from(`attachment of ${key}`);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const messageId = `<${key}@matrix.test>`;
  const { id } = await db
    .insertInto('interactions')
    .values({
      internet_message_id: messageId,
      kind: 'message',
      direction: 'in',
      subject: 'Matrix',
      sent_at: new Date(),
      to_parties: '[]',
      cc_parties: '[]',
      body_text: 'Body',
      source: 'item',
      created_by: org.users.rm1!,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('blobs').values({ sha256, size: content.length, content }).execute();
  await db
    .insertInto('interaction_attachments')
    .values({
      interaction_id: id,
      ordinal: 0,
      sha256,
      filename: 'a.txt',
      content_type: 'text/plain',
      size: content.length,
    })
    .execute();
  await db
    .insertInto('interaction_links')
    .values({ interaction_id: id, client_id: clientId, linked_by: org.users.rm1! })
    .execute();
  return { id, sha256, messageId };
}

export async function createInteractionMatrixFixtures(
  db: Db,
  org: Org,
  clients: Record<Target, string>,
  who: readonly Who[],
): Promise<InteractionMatrixFixtures> {
  const fixtures = {
    logged: {
      own: await insertLoggedInteraction(db, org, clients.own, 'logged-own'),
      other: await insertLoggedInteraction(db, org, clients.other, 'logged-other'),
    },
    toUnlink: {},
  } as InteractionMatrixFixtures;
  for (const w of who)
    fixtures.toUnlink[w] = {
      own: (await insertLoggedInteraction(db, org, clients.own, `unlink-${w}-own`)).id,
      other: (await insertLoggedInteraction(db, org, clients.other, `unlink-${w}-other`)).id,
    };
  return fixtures;
}

/** The rules, given the matrix's restatement of visibility and admin rights. */
export function interactionRules(
  sees: (who: Who, target: Target) => boolean,
  hasAdminRights: (who: Who) => boolean,
): Record<string, Rule> {
  const readAudit = (action: string) => (who: Who, target: Target) => ({
    action,
    result: sees(who, target) ? ('ok' as const) : ('denied' as const),
    withClient: true,
  });
  const createsClients = (who: Who) => who === 'rm' || who === 'supervisor' || who === 'rmWithAdminGrant';
  const mayUnlink = (who: Who, target: Target) =>
    hasAdminRights(who) || (who === 'supervisor' && sees(who, target));
  return {
    'POST /api/v1/interactions': {
      request: (c, who, target) => ({
        url: '/api/v1/interactions',
        payload: {
          clientId: c.clients[target],
          source: {
            item: {
              internetMessageId: `<log-${who}-${target}@matrix.test>`,
              subject: 'Matrix',
              from: { name: 'Client', address: 'client@client.example' },
              to: [],
              sentAt: '2026-12-01T10:00:00Z',
              bodyText: 'Hello',
            },
          },
        },
      }),
      status: (who, target) => (sees(who, target) ? 201 : 404),
      audit: readAudit('interaction.log'),
    },
    'POST /api/v1/interactions/:id/links': {
      // The "own" interaction is linked to "own" already: a visible client answers 200 (link exists). Only
      // who sees one of its clients may add a link: the admin (who sees none) gets 404 for both targets.
      request: (c, _who, target) => ({
        url: `/api/v1/interactions/${c.interactions.logged.own.id}/links`,
        payload: { clientId: c.clients[target] },
      }),
      status: (who, target) => (sees(who, target) ? 200 : 404),
      audit: readAudit('interaction.link'),
    },
    'GET /api/v1/interactions/status': {
      request: (c, _who, target) => ({
        url: `/api/v1/interactions/status?internetMessageId=${encodeURIComponent(c.interactions.logged[target].messageId)}`,
      }),
      status: () => 200,
      // A Message-ID is no proof of having the message: linked only to hidden clients, it reads as not logged.
      check: (res, c, who, target) => {
        const body = res.json();
        if (sees(who, target))
          expect(body).toMatchObject({
            logged: true,
            interactionId: c.interactions.logged[target].id,
            links: [{ clientId: c.clients[target] }],
            hiddenLinkCount: 0,
          });
        else
          expect(body).toEqual({
            logged: false,
            interactionId: null,
            loggedBy: null,
            links: [],
            hiddenLinkCount: 0,
          });
      },
      audit: (who, target) =>
        sees(who, target) ? { action: 'interaction.status', result: 'ok', withClient: true } : null,
    },
    'GET /api/v1/interactions/conversation': {
      request: (c, _who, target) => ({
        url: `/api/v1/interactions/conversation?inReplyTo=${encodeURIComponent(c.interactions.logged[target].messageId)}`,
      }),
      status: () => 200,
      check: (res, c, who, target) =>
        expect(res.json()).toMatchObject({
          logged: sees(who, target),
          clients: sees(who, target) ? [{ id: c.clients[target] }] : [],
          hiddenCount: 0,
        }),
      audit: (who, target) =>
        sees(who, target) ? { action: 'interaction.conversation', result: 'ok', withClient: true } : null,
    },
    'GET /api/v1/interactions/:id': {
      request: (c, _who, target) => ({ url: `/api/v1/interactions/${c.interactions.logged[target].id}` }),
      status: (who, target) => (sees(who, target) ? 200 : 404),
      audit: readAudit('interaction.read'),
    },
    'GET /api/v1/interactions/:id/attachments/:sha256': {
      request: (c, _who, target) => ({
        url: `/api/v1/interactions/${c.interactions.logged[target].id}/attachments/${c.interactions.logged[target].sha256}`,
      }),
      status: (who, target) => (sees(who, target) ? 200 : 404),
      audit: readAudit('interaction.attachment.download'),
    },
    'DELETE /api/v1/interactions/:id/links/:clientId': {
      request: (c, who, target) => ({
        url: `/api/v1/interactions/${c.interactions.toUnlink[who][target]}/links/${c.clients[target]}`,
      }),
      // Supervisors (clients they see) and admin rights only; an RM or credit officer is refused outright.
      status: (who, target) => (mayUnlink(who, target) ? 204 : who === 'supervisor' ? 404 : 403),
      audit: (who, target) =>
        mayUnlink(who, target)
          ? { action: 'interaction.unlink', result: 'ok', withClient: true }
          : who === 'supervisor'
            ? null
            : { action: 'access.denied', result: 'denied', withClient: false },
    },
    'GET /api/v1/clients/:id/interactions': {
      request: (c, _who, target) => ({ url: `/api/v1/clients/${c.clients[target]}/interactions?limit=5` }),
      status: (who, target) => (sees(who, target) ? 200 : 404),
      audit: readAudit('interaction.list'),
    },
    'GET /api/v1/prospects/candidates': {
      request: (c, _who, target) => ({ url: `/api/v1/prospects/candidates?inn=${c.inn[target]}` }),
      status: () => 200,
      // A hidden client is counted, never shown.
      check: (res, c, who, target) => {
        const body = res.json();
        expect(body.candidates.map((x: { client: { id: string } }) => x.client.id)).toEqual(
          sees(who, target) ? [c.clients[target]] : [],
        );
        expect(body.hiddenMatches).toBe(sees(who, target) ? 0 : 1);
        expect(body.exactMatch).toBe(true);
      },
      audit: (who, target) =>
        sees(who, target) ? { action: 'client.search', result: 'ok', withClient: true } : null,
    },
    'POST /api/v1/prospects': {
      request: (_c, who, target) => ({
        url: '/api/v1/prospects',
        payload: {
          kind: 'individual',
          displayName: `Новикова Анна ${who}${target}`,
          email: `new.${who}.${target}@prospect.example`,
        },
      }),
      status: (who) => (createsClients(who) ? 201 : 403),
      audit: (who) =>
        createsClients(who)
          ? { action: 'client.create', result: 'ok', withClient: false }
          : { action: 'access.denied', result: 'denied', withClient: false },
    },
    'POST /api/v1/clients/:id/contact-points': {
      request: (c, who, target) => ({
        url: `/api/v1/clients/${c.clients[target]}/contact-points`,
        payload: { kind: 'email', value: `extra.${who}@client.example` },
      }),
      status: (who, target) => (sees(who, target) ? 201 : 404),
      audit: readAudit('client.contact_point.add'),
    },
  };
}

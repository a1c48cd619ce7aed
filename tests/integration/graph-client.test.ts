import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { GraphConfig } from '../../server/src/config.ts';
import {
  createGraphClient,
  GraphTransportError,
  graphCredential,
} from '../../server/src/modules/calendar-sync/graph.client.ts';
import { emulatorTls } from '../emulators/tls/index.ts';
import { createSyncHarness, type SyncHarness } from '../support/calendar-sync.ts';

// The Graph client's edges, each found by a break-it review of the move to @microsoft/microsoft-graph-client and
// @azure/identity: a token endpoint that never answers, a token Graph stops accepting, OpenID metadata naming
// another host as token endpoint, links to another port, a $batch answer with holes.

type Seen = { method: string; url: string; authorization: string | undefined; body: string };
type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse, origin: string) => void;

const servers: https.Server[] = [];
async function fake(handler: Handler): Promise<{ origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = https.createServer(emulatorTls(), async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
    handler(req, body, res, origin);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen };
}
const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const metadata = (origin: string, tokenEndpoint = `${origin}/tenant-1/oauth2/v2.0/token`) => ({
  issuer: `${origin}/tenant-1/v2.0`,
  token_endpoint: tokenEndpoint,
  authorization_endpoint: `${origin}/tenant-1/oauth2/v2.0/authorize`,
  jwks_uri: `${origin}/tenant-1/discovery/v2.0/keys`,
  end_session_endpoint: `${origin}/tenant-1/oauth2/v2.0/logout`,
});
const config = (origin: string, extra: Partial<GraphConfig> = {}): GraphConfig => ({
  baseUrl: `${origin}/v1.0`,
  tenantId: 'tenant-1',
  clientId: 'client-1',
  clientSecret: 'SECRET-VALUE-1234',
  authorityHost: origin,
  scope: `${origin}/.default`,
  timeoutMs: 1500,
  ...extra,
});

let h: SyncHarness | undefined;
afterAll(async () => {
  await h?.close();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

describe('tokens', () => {
  it('a token endpoint that never answers fails the request within the timeout and frees the mailbox', async () => {
    let hang = true;
    const svc = await fake((req, _body, res, origin) => {
      if (req.url!.includes('openid-configuration')) return json(res, 200, metadata(origin));
      if (req.url!.includes('/oauth2/v2.0/token')) {
        if (hang) return; // never answers
        return json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: 'T1' });
      }
      json(res, 200, { value: [] });
    });
    const graph = createGraphClient(config(svc.origin), { mailboxConcurrency: 1 });
    const started = Date.now();
    const first = graph.send('mb', { id: '1', method: 'GET', url: '/users/mb/events' });
    await expect(first).rejects.toBeInstanceOf(GraphTransportError);
    await expect(first).rejects.toThrow(/no token from/);
    expect(Date.now() - started).toBeLessThan(5000);
    // The one slot of the mailbox is free again: the next request goes through once Entra answers.
    hang = false;
    const second = await graph.send('mb', { id: '2', method: 'GET', url: '/users/mb/events' });
    expect(second.status).toBe(200);
  });

  it('sends the secret only to the configured authority, whatever its metadata names as token endpoint', async () => {
    const elsewhere = await fake((_req, _body, res) =>
      json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: 'STOLEN' }),
    );
    const authority = await fake((req, _body, res, origin) => {
      if (req.url!.includes('openid-configuration'))
        return json(
          res,
          200,
          metadata(
            origin,
            `${elsewhere.origin.replace('127.0.0.1', 'localhost')}/tenant-1/oauth2/v2.0/token`,
          ),
        );
      json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: 'T' });
    });
    const credential = graphCredential(config(authority.origin));
    await expect(credential.getToken(`${authority.origin}/.default`)).rejects.toThrow();
    expect(elsewhere.seen).toEqual([]);
    expect(authority.seen.some((s) => s.body.includes('SECRET-VALUE-1234'))).toBe(false);
  });

  it('after Graph refuses the token (401) the next request gets a new one: tasks and mail go on', async () => {
    h = await createSyncHarness({ serviceMailbox: 'crm-notify@bank.example' });
    await h.startWorker();
    const before = await h.createTask('rm1', { title: 'До отзыва токена' });
    await h.settle();
    expect((await h.links(before.id))[0]!.state).toBe('synced');
    h.emu.revokeTokens();
    const after = await h.createTask('rm1', { title: 'После отзыва токена' });
    await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'Назначена после отзыва' });
    await h.settle(30_000);
    expect((await h.links(after.id)).map((l) => l.state)).toEqual(['synced']);
    expect(h.emu.tokenCount).toBeGreaterThan(0);
    expect(
      h.emu.sentMail.filter((m) => m.message.subject === 'Вам назначена задача: Назначена после отзыва'),
    ).toHaveLength(1);
  });
});

describe('links and batches', () => {
  it('follows a link with the token only on the configured endpoint: not another port of the same host', async () => {
    const other = await fake((_req, _body, res) => json(res, 200, { value: [] }));
    const svc = await fake((req, _body, res, origin) => {
      if (req.url!.includes('openid-configuration')) return json(res, 200, metadata(origin));
      if (req.url!.includes('/oauth2/v2.0/token'))
        return json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: 'T1' });
      json(res, 200, { value: [] });
    });
    const graph = createGraphClient(config(svc.origin), { mailboxConcurrency: 2 });
    await expect(
      graph.getAbsolute('mb', `${other.origin}/v1.0/users/mb/calendarView/delta?$deltatoken=x`),
    ).rejects.toBeInstanceOf(GraphTransportError);
    expect(other.seen).toEqual([]);
    const own = await graph.getAbsolute(
      'mb',
      `${svc.origin}/v1.0/users/mb/calendarView/delta?$deltatoken=a%3D%3D`,
    );
    expect(own.status).toBe(200);
    expect(svc.seen.at(-1)).toMatchObject({
      url: '/v1.0/users/mb/calendarView/delta?$deltatoken=a%3D%3D',
      authorization: 'Bearer T1',
    });
  });

  it('a $batch answer with holes leaves those requests unanswered instead of throwing', async () => {
    const svc = await fake((req, _body, res, origin) => {
      if (req.url!.includes('openid-configuration')) return json(res, 200, metadata(origin));
      if (req.url!.includes('/oauth2/v2.0/token'))
        return json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: 'T1' });
      json(res, 200, { responses: [null, { id: '2', status: 204 }, 7] });
    });
    const graph = createGraphClient(config(svc.origin), { mailboxConcurrency: 2 });
    const { outer, inner } = await graph.batch('mb', [
      { id: '1', method: 'DELETE', url: '/users/mb/events/a' },
      { id: '2', method: 'DELETE', url: '/users/mb/events/b' },
    ]);
    expect(outer.status).toBe(200);
    expect([...inner.keys()]).toEqual(['2']);
  });
});

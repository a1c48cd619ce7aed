import type { CreditConfig } from '../../config.ts';
import { type GraphClient, graphErrorCode } from '../calendar-sync/graph.client.ts';
import { smtpMailSender } from './smtp-sender.ts';

// How a client message leaves the bank. Every sender gets the message's idempotency key: an HTTP gateway
// deduplicates on it, so a retry after a timeout or a crash between "sent" and "recorded" never doubles an SMS.

export type OutgoingMessage = {
  idempotencyKey: string;
  to: string;
  subject: string | null;
  body: string;
};

/** A send that will not succeed on retry (bad number, refused by the provider): stays `failed`. */
export class PermanentSendError extends Error {}

export type MessageSender = {
  /** Sends once; resolves with the provider's message id. Throws to be retried (or PermanentSendError). */
  send(message: OutgoingMessage): Promise<{ providerMessageId: string | null }>;
};

type Log = { info: (o: object, m: string) => void };

/** The demo's sender: the message goes to the log (recipient masked), nothing leaves the machine. */
export function logSender(channel: 'email' | 'sms', log?: Log): MessageSender {
  return {
    send: async (m) => {
      log?.info(
        { channel, to: m.to.replace(/^(.{2}).*(.{2})$/, '$1…$2'), key: m.idempotencyKey },
        'client notification (log only)',
      );
      return { providerMessageId: `log:${m.idempotencyKey}` };
    },
  };
}

/**
 * An HTTP SMS gateway: `POST {url}` with JSON `{to, text, sender}`, `Idempotency-Key`, bearer token.
 * 2xx: sent (`{id}` or `{messageId}` in the body is kept); 408, 425, 429 and 5xx, timeouts and connection
 * errors: retried; other 4xx: permanent.
 */
export function httpSmsSender(
  config: { url: string; token: string | null; sender: string },
  timeoutMs: number,
): MessageSender {
  return {
    send: async (m) => {
      let res: Response;
      try {
        res = await fetch(config.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': m.idempotencyKey,
            ...(config.token ? { authorization: `Bearer ${config.token}` } : {}),
          },
          body: JSON.stringify({ to: m.to, text: m.body, sender: config.sender }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new Error(`SMS gateway unreachable: ${(err as Error).message}`);
      }
      const text = await res.text().catch(() => '');
      if (res.ok) {
        let id: string | null = null;
        try {
          const body = JSON.parse(text) as { id?: unknown; messageId?: unknown };
          id = String(body.id ?? body.messageId ?? '') || null;
        } catch {
          id = null;
        }
        return { providerMessageId: id };
      }
      const msg = `SMS gateway answered ${res.status}`;
      if (res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500)
        throw new Error(msg);
      throw new PermanentSendError(msg);
    },
  };
}

/**
 * The single-value extended property that carries a notification's idempotency key on the message in the
 * service mailbox (Outlook extended properties: https://learn.microsoft.com/graph/api/resources/extended-properties-overview).
 */
export const NOTIFICATION_KEY_PROPERTY =
  'String {6f1d5a52-3c1e-4b8e-9a57-2f4c1b7e9d10} Name crmNotificationKey';

/** OData string literal: single quotes doubled. */
const odataString = (v: string) => `'${v.replace(/'/g, "''")}'`;

/**
 * Email through Graph from the service mailbox `from`, never doubled: Graph's one-call `sendMail` has no
 * idempotency key, so a draft is created carrying the message's key in an extended property
 * (`POST /users/{from}/messages`, 201) and then sent (`POST /users/{from}/messages/{id}/send`, 202; the message
 * moves to Sent Items and keeps its immutable id). Every attempt first looks the key up
 * (`GET /users/{from}/messages?$filter=singleValueExtendedProperties/Any(...)`): a sent item means an earlier
 * attempt got through and lost its answer (done, nothing sent again); a draft means the create did (send it).
 * Needs the application permissions Mail.Send and Mail.ReadWrite on the service mailbox (limit both to it with
 * an application access policy). Sources: https://learn.microsoft.com/graph/api/user-post-messages,
 * https://learn.microsoft.com/graph/api/message-send.
 *
 * Throws to be retried on 401/429/5xx or no answer; PermanentSendError on other 4xx (the recipient or the
 * mailbox is refused).
 */
export function graphMailSender(graph: GraphClient, from: string): MessageSender {
  const messages = `/users/${encodeURIComponent(from)}/messages`;
  const check = (step: string, res: { status: number; body: unknown }, ok: number[]) => {
    if (ok.includes(res.status)) return;
    const code = graphErrorCode(res.body);
    const msg = `Graph ${step} ${res.status}${code ? ` ${code}` : ''}`;
    // 401: the token was refused (the client gets a new one for the retry); 429/5xx: Graph is busy.
    if (res.status === 401 || res.status === 429 || res.status >= 500) throw new Error(msg);
    throw new PermanentSendError(msg);
  };
  return {
    send: async (m) => {
      const filter = `singleValueExtendedProperties/Any(ep: ep/id eq ${odataString(NOTIFICATION_KEY_PROPERTY)} and ep/value eq ${odataString(m.idempotencyKey)})`;
      const lookup = await graph.send(from, {
        id: '1',
        method: 'GET',
        url: `${messages}?$filter=${encodeURIComponent(filter)}&$select=id,isDraft`,
      });
      check('message lookup', lookup, [200]);
      const earlier = ((lookup.body as { value?: { id: string; isDraft: boolean }[] } | null)?.value ??
        [])[0];
      if (earlier && !earlier.isDraft) return { providerMessageId: earlier.id };
      let id = earlier?.id;
      if (!id) {
        const draft = await graph.send(from, {
          id: '1',
          method: 'POST',
          url: messages,
          body: {
            subject: m.subject ?? '',
            body: { contentType: 'Text', content: m.body },
            toRecipients: [{ emailAddress: { address: m.to } }],
            internetMessageHeaders: [{ name: 'X-CRM-Notification', value: m.idempotencyKey }],
            singleValueExtendedProperties: [{ id: NOTIFICATION_KEY_PROPERTY, value: m.idempotencyKey }],
          },
        });
        check('draft', draft, [201]);
        id = (draft.body as { id?: string } | null)?.id;
        if (!id) throw new Error('Graph draft: no id in the answer');
      }
      const sent = await graph.send(from, {
        id: '1',
        method: 'POST',
        url: `${messages}/${encodeURIComponent(id)}/send`,
      });
      check('send', sent, [202]);
      return { providerMessageId: id };
    },
  };
}

export type Senders = { email: MessageSender; sms: MessageSender };

/** The senders the configuration asks for. */
export function createSenders(config: CreditConfig, graph: GraphClient | null, log?: Log): Senders {
  return {
    email:
      config.email.kind === 'smtp'
        ? smtpMailSender(config.email.smtp)
        : config.email.kind === 'graph' && graph
          ? graphMailSender(graph, config.email.from)
          : logSender('email', log),
    sms: config.sms.kind === 'http' ? httpSmsSender(config.sms, config.timeoutMs) : logSender('sms', log),
  };
}

import type { CreditConfig } from '../../config.ts';
import type { GraphClient } from '../calendar-sync/graph.client.ts';
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
 * Email through Graph `POST /users/{from}/sendMail` (202, saved to Sent Items). Graph has no idempotency key
 * for sendMail: an answer lost after Graph accepted the mail leads to a second mail on retry (rare: a
 * timeout after acceptance). 4xx other than 429 are permanent.
 */
export function graphMailSender(graph: GraphClient, from: string): MessageSender {
  return {
    send: async (m) => {
      const res = await graph.send(from, {
        id: '1',
        method: 'POST',
        url: `/users/${encodeURIComponent(from)}/sendMail`,
        body: {
          message: {
            subject: m.subject ?? '',
            body: { contentType: 'Text', content: m.body },
            toRecipients: [{ emailAddress: { address: m.to } }],
            internetMessageHeaders: [{ name: 'X-CRM-Notification', value: m.idempotencyKey }],
          },
          saveToSentItems: true,
        },
      });
      if (res.status === 202 || res.status === 200) return { providerMessageId: null };
      if (res.status === 429 || res.status >= 500) throw new Error(`Graph sendMail ${res.status}`);
      throw new PermanentSendError(`Graph sendMail ${res.status}`);
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

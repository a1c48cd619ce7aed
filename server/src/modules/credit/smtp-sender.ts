import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../../config.ts';
import { type MessageSender, PermanentSendError } from './notification-senders.ts';

// Email through an SMTP relay (nodemailer), the alternative to Graph sendMail. SMTP has no idempotency key:
// the Message-ID is derived from the outbox key instead, so a resend after a lost reply (the relay took the
// mail, its "250" never reached us) carries the same Message-ID and receiving systems can drop the duplicate.

/** `<hash.crm@domain-of-from>`: the same outbox key always gives the same Message-ID (RFC 5322 msg-id). */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = from.replace(/>\s*$/, '').split('@').pop()?.trim().toLowerCase() || 'crm.local';
  const hash = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40);
  return `<${hash}.crm@${domain}>`;
}

type SmtpError = Error & { responseCode?: number; code?: string };

/**
 * Whether a failed SMTP send is final. A 5xx reply to the message (550 mailbox unavailable, 553 bad address,
 * 554 refused) will not change on retry; 4xx (421, 450, 451, 452), no answer, a dropped connection and
 * refused credentials (535: a configuration fault, the mail is not to blame) are retried.
 */
export function isPermanentSmtpFailure(err: SmtpError): boolean {
  const code = err.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600 && err.code !== 'EAUTH';
}

/** The error kept on the outbox row and logged: reply code and nodemailer's code, never the URL or addresses. */
function summary(err: SmtpError): string {
  if (typeof err.responseCode === 'number')
    return `SMTP answered ${err.responseCode}${err.code ? ` (${err.code})` : ''}`;
  return `SMTP relay not reachable or no answer (${err.code ?? 'unknown'})`;
}

/** nodemailer transport options from `smtp[s]://user:password@host:port` (credentials URL-decoded). */
function transportOptions(config: SmtpConfig) {
  const url = new URL(config.url);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
    // nodemailer's own logger would print the SMTP dialogue, AUTH included: keep it off.
    logger: false,
    debug: false,
  };
}

/**
 * Sends each message as a plain-text mail through the relay in `config` (one connection per message).
 * Resolves with the Message-ID; throws {@link PermanentSendError} on a 5xx reply, a plain Error otherwise
 * (the outbox job is retried). Error messages hold the reply code only.
 */
export function smtpMailSender(config: SmtpConfig): MessageSender {
  const transport = nodemailer.createTransport(transportOptions(config));
  return {
    send: async (m) => {
      const messageId = messageIdFor(m.idempotencyKey, config.from);
      try {
        await transport.sendMail({
          from: config.from,
          to: m.to,
          subject: m.subject ?? '',
          text: m.body,
          messageId,
          headers: { 'X-CRM-Notification': m.idempotencyKey },
        });
      } catch (err) {
        const e = err as SmtpError;
        if (isPermanentSmtpFailure(e)) throw new PermanentSendError(summary(e));
        throw new Error(summary(e));
      }
      return { providerMessageId: messageId };
    },
  };
}

import type { AddressInfo, Socket } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

// A local SMTP relay for mail tests: a real SMTP server (the `smtp-server` package) on 127.0.0.1 that requires
// AUTH with the given credentials, stores what it accepts (parsed with postal-mime) and injects failures:
// a 4xx reply once, a 5xx for one recipient, a dropped connection (before or after taking the message).

/** A message the relay accepted. */
export type ReceivedMail = {
  from: string;
  to: string[];
  messageId: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
  raw: string;
};

/** What the relay does wrong; one-shot faults are consumed by the first command they match. */
export type SmtpFault =
  /** Answer `code` to the next DATA (e.g. 451: local error, try again later), once. */
  | { kind: 'reply-once'; code: number; message?: string }
  /** Answer `code` to every RCPT TO of `address` (e.g. 550 mailbox unavailable). */
  | { kind: 'reject-recipient'; address: string; code: number; message?: string }
  /** Close the connection at DATA without answering, once; `afterAccept`: the mail was taken first (lost 250). */
  | { kind: 'drop-once'; afterAccept?: boolean };

/** One SMTP command outcome, for asserting retries: `status` is the reply code, 0 for a dropped connection. */
export type SmtpAttempt = { stage: 'rcpt' | 'data'; to: string[]; status: number };

export type SmtpEmulator = {
  port: number;
  /** `smtp://user:password@127.0.0.1:port`. */
  url: string;
  user: string;
  password: string;
  received: ReceivedMail[];
  attempts: SmtpAttempt[];
  /** Accepted mails with distinct Message-IDs: what a receiving system that deduplicates would deliver. */
  delivered: () => ReceivedMail[];
  inject: (fault: SmtpFault) => void;
  clearFaults: () => void;
  close: () => Promise<void>;
};

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

/** Starts the relay on a free loopback port. */
export async function startSmtpEmulator(
  opts: { user?: string; password?: string } = {},
): Promise<SmtpEmulator> {
  const user = opts.user ?? 'crm-relay';
  const password = opts.password ?? 'Rel@y-s3cret/pw';
  let faults: SmtpFault[] = [];
  const received: ReceivedMail[] = [];
  const attempts: SmtpAttempt[] = [];
  const sockets = new Set<Socket>();
  const rcpts = (s: SMTPServerSession) => s.envelope.rcptTo.map((a: SMTPServerAddress) => a.address);

  const server: SMTPServer = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS, so AUTH PLAIN goes in the clear (test only).
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) return cb(null, { user });
      return cb(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },
    onRcptTo(address, session, cb) {
      const f = faults.find((x) => x.kind === 'reject-recipient' && x.address === address.address);
      if (f && f.kind === 'reject-recipient') {
        attempts.push({ stage: 'rcpt', to: [...rcpts(session), address.address], status: f.code });
        return cb(smtpError(f.code, f.message ?? '5.1.1 Mailbox unavailable'));
      }
      return cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void (async () => {
          const to = rcpts(session);
          const i = faults.findIndex((x) => x.kind === 'reply-once' || x.kind === 'drop-once');
          const fault = i >= 0 ? faults.splice(i, 1)[0] : undefined;
          const store = async () => {
            const raw = Buffer.concat(chunks);
            const parsed = await PostalMime.parse(raw);
            received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to,
              messageId: parsed.messageId ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              headers: Object.fromEntries(parsed.headers.map((h) => [h.key, h.value])),
              raw: raw.toString('utf8'),
            });
          };
          if (fault?.kind === 'reply-once') {
            attempts.push({ stage: 'data', to, status: fault.code });
            return cb(smtpError(fault.code, fault.message ?? '4.3.0 Local error, try again later'));
          }
          if (fault?.kind === 'drop-once') {
            attempts.push({ stage: 'data', to, status: 0 });
            if (fault.afterAccept) await store();
            for (const s of sockets) s.destroy();
            return;
          }
          await store();
          attempts.push({ stage: 'data', to, status: 250 });
          cb(null, 'Message queued');
        })();
      });
    },
  });
  // smtp-server keeps its net.Server here: track sockets so a fault can drop them.
  const net = (server as unknown as { server: import('node:net').Server }).server;
  net.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (net.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    user,
    password,
    received,
    attempts,
    delivered: () => {
      const seen = new Set<string>();
      return received.filter((m) => !seen.has(m.messageId) && seen.add(m.messageId));
    },
    inject: (f) => {
      faults.push(f);
    },
    clearFaults: () => {
      faults = [];
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

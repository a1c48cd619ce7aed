import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Time from an Outlook item switch (ItemChanged fired by the Office host emulator) to the client's card
 * painted in the pane, measured inside the page: `performance.now()` before `selectItem`, then the next
 * animation frame after the card's `<article aria-label=name>` is in the DOM. 50 switches over 25 clients'
 * letters, each visited twice (first visit: a network round trip; revisit: painted from cache).
 */
export async function measureItemSwitch(
  base: string,
  email: string,
  senders: string[],
): Promise<{ median: number; p95: number; samples: number }> {
  const token = (
    (await (
      await fetch(`${base}/api/v1/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      })
    ).json()) as { accessToken: string }
  ).accessToken;
  // One letter per client sender (shaped as the demo inbox's Office-like items), with the card name to wait for.
  const targets: { item: unknown; name: string }[] = [];
  for (const [n, address] of senders.slice(0, 25).entries()) {
    const res = await fetch(`${base}/api/v1/mail-context`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        itemType: 'message',
        participants: [{ role: 'from', displayName: '', emailAddress: address }],
        userAddresses: [email],
      }),
    });
    const body = (await res.json()) as { participants: { clients: { displayName: string }[] }[] };
    const clients = body.participants[0]?.clients ?? [];
    if (clients.length !== 1) continue;
    const item = {
      id: `bench-${n}`,
      itemType: 'message',
      subject: `Письмо ${n}`,
      internetMessageId: `<bench-${n}@bench.example>`,
      conversationId: `bench-conv-${n}`,
      dateTimeCreated: new Date().toISOString(),
      from: { displayName: clients[0]!.displayName, emailAddress: address },
      to: [{ displayName: 'RM', emailAddress: email }],
      cc: [],
      organizer: null,
      requiredAttendees: [],
      optionalAttendees: [],
      bodyPreview: '',
      caseId: null,
    };
    targets.push({ item, name: clients[0]!.displayName });
  }
  if (targets.length < 2) return { median: Number.NaN, p95: Number.NaN, samples: 0 };

  const emulator = await readFile(path.join(root, 'tests/emulators/office/office.js'), 'utf8');
  const dir = await mkdtemp(path.join(tmpdir(), 'crm-bench-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 360, height: 800 },
  });
  try {
    await context.route('https://appsforoffice.microsoft.com/**', (route) =>
      route.fulfill({ status: 200, contentType: 'application/javascript', body: emulator }),
    );
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(
      ([t, e]) => {
        sessionStorage.setItem('crm.accessToken', t as string);
        (window as unknown as { __officeEmulatorConfig: unknown }).__officeEmulatorConfig = {
          item: null,
          userProfile: { emailAddress: e, displayName: 'RM' },
          displayLanguage: 'ru-RU',
        };
      },
      [token, email],
    );
    await page.goto(`${base}/taskpane.html`);
    await page.waitForFunction(() =>
      Boolean((window as unknown as { __officeEmulator?: unknown }).__officeEmulator),
    );
    await page.waitForTimeout(500);
    const times: number[] = [];
    const order = [...targets, ...targets].slice(0, 50);
    for (const t of order) {
      // A string, not a function: tsx's transform would wrap inner functions in a helper the page lacks.
      const ms = (await page.evaluate(`new Promise((resolve, reject) => {
        const name = ${JSON.stringify(t.name)};
        const started = performance.now();
        window.__officeEmulator.selectItem(${JSON.stringify(t.item)});
        const check = () => {
          const painted = [...document.querySelectorAll('article')].some((a) => a.getAttribute('aria-label') === name);
          if (painted) requestAnimationFrame(() => resolve(performance.now() - started));
          else if (performance.now() - started > 10000) reject(new Error('card ' + name + ' not painted'));
          else requestAnimationFrame(check);
        };
        check();
      })`)) as number;
      times.push(ms);
      await page.waitForTimeout(50);
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
    return { median: q(0.5), p95: q(0.95), samples: times.length };
  } finally {
    await context.close();
    await rm(dir, { recursive: true, force: true });
  }
}

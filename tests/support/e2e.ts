import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DemoInboxDto, DemoItemDto } from '@crm/shared';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
  type PageScreenshotOptions,
} from 'playwright-core';
import type { ApiApp } from '../../server/src/app.ts';
import { repoRoot } from './app.ts';

/** Microsoft's office.js address, answered by the Office host emulator in every browser test. */
export const OFFICE_CDN = 'https://appsforoffice.microsoft.com/**';
export const OFFICE_EMULATOR = path.join(repoRoot, 'tests/emulators/office/office.js');
/** Screenshots (git-ignored). */
export const ARTIFACTS = path.join(repoRoot, 'tests/.artifacts');

// Debian's Chromium as root on a closed network (docs/stack.md): no sandbox, no background networking.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The demo bank's administrator, as the admin page's demo picker names them. */
export const DEMO_ADMIN = 'Администратор CRM';

/**
 * Launches /usr/bin/chromium with a fresh profile, office.js served by the emulator. `close` also removes
 * the profile directory. `options` go to the context (e.g. acceptDownloads, ignoreHTTPSErrors); `office: false`
 * leaves out the office.js route for pages that load no Office (the admin page), so requests stay unintercepted
 * (a route makes Playwright intercept every request, and drops the HTTP cache).
 */
export async function launchPaneBrowser(
  options: Pick<BrowserContextOptions, 'acceptDownloads' | 'ignoreHTTPSErrors'> & { office?: boolean } = {},
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const { office = true, ...contextOptions } = options;
  mkdirSync(ARTIFACTS, { recursive: true });
  const profileDir = mkdtempSync(path.join(tmpdir(), 'crm-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    locale: 'en-US',
    ...contextOptions,
  });
  if (office)
    await context.route(OFFICE_CDN, (route) =>
      route.fulfill({ path: OFFICE_EMULATOR, contentType: 'application/javascript' }),
    );
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** Launches /usr/bin/chromium without a profile, for tests that open a fresh context per page. */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A full-page screenshot into tests/.artifacts/`name`.png. */
export async function shot(page: Page, name: string, options: PageScreenshotOptions = {}): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true, ...options });
  // Whatever is on screen fits the width it is given (a 320 px pane, 200% zoom): wide content wraps or
  // scrolls inside its own box, the page itself never scrolls sideways.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  if (overflow > 0) throw new Error(`${name}: the page is ${overflow} px wider than its viewport`);
}

/**
 * Opens admin.html`hash` in `page` (signed out) and signs in through the demo picker as `name`. Steps fail
 * after 8 s, well within a test's timeout.
 */
export async function signInAdmin(page: Page, baseUrl: string, name: string, hash = ''): Promise<Page> {
  page.setDefaultTimeout(8_000);
  await page.goto(`${baseUrl}/admin.html${hash}`);
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  return page;
}

export type AdminTabOptions = { colorScheme?: 'light' | 'dark'; width?: number; height?: number };

/** A new tab of `context` (its own sessionStorage: signed out) on admin.html`hash`, signed in as `name`. */
export async function openAdminTab(
  context: BrowserContext,
  baseUrl: string,
  name: string,
  hash = '',
  opts: AdminTabOptions = {},
): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: opts.width ?? 1280, height: opts.height ?? 800 });
  if (opts.colorScheme) await page.emulateMedia({ colorScheme: opts.colorScheme });
  return signInAdmin(page, baseUrl, name, hash);
}

/**
 * A fresh context of `browser` (signed out, 1280×900 unless `options` say otherwise) on admin.html`hash`,
 * signed in as `name`. Close it with `page.context().close()`.
 */
export async function openAdminContext(
  browser: Browser,
  baseUrl: string,
  name: string,
  hash = '',
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  return signInAdmin(await context.newPage(), baseUrl, name, hash);
}

/** Picks `option` in the Fluent Dropdown labelled `label` inside `scope`. */
export async function choose(scope: Locator, label: string, option: string | RegExp): Promise<void> {
  await scope.getByRole('combobox', { name: label }).click();
  await scope.page().getByRole('option', { name: option }).click();
}

/** The admin page's section tab called `name`. */
export const tab = (page: Page, name: string) => page.getByRole('tab', { name });

/** The demo inbox the preview pane and the Office emulator open items from (GET /dev/inbox as `token`'s user). */
export async function demoInbox(app: ApiApp, token: string): Promise<DemoItemDto[]> {
  const res = await app.inject({ url: '/api/v1/dev/inbox', headers: { authorization: `Bearer ${token}` } });
  if (res.statusCode !== 200) throw new Error(`GET /dev/inbox: ${res.statusCode} ${res.body}`);
  return (res.json() as DemoInboxDto).items;
}

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
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

/**
 * Launches /usr/bin/chromium with a fresh profile, office.js served by the emulator. `close` also removes
 * the profile directory.
 */
export async function launchPaneBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profileDir = mkdtempSync(path.join(tmpdir(), 'crm-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    locale: 'en-US',
  });
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

import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The Microsoft emulators speak HTTPS like the services they stand in for: @azure/identity refuses an http
// authority, and the Graph SDK only parses https URLs (docs/stack.md). `localhost.pem` (127.0.0.1, localhost) is
// signed by `ca.pem`, a CA made for these tests only (its key was thrown away). Node trusts it through
// NODE_EXTRA_CA_CERTS, read once at process start: tests/support/global-setup.ts sets it before vitest starts its
// worker processes, and `npm run bench` starts through tests/support/with-test-ca.ts.

/** Absolute path of the tests' CA certificate (PEM). */
export const TEST_CA_PATH = new URL('./ca.pem', import.meta.url).pathname;

/** Key and certificate for an emulator listening on 127.0.0.1 (`https.createServer` options). */
export const emulatorTls = () => ({
  key: readFileSync(new URL('./localhost-key.pem', import.meta.url)),
  cert: readFileSync(new URL('./localhost.pem', import.meta.url)),
});

/**
 * A value for NODE_EXTRA_CA_CERTS that trusts the tests' CA as well as whatever `current` (the variable's
 * present value, one PEM file: machines set it for a corporate CA) already trusted.
 */
export function extraCaCertsWithTestCa(current: string | undefined): string {
  if (!current) return TEST_CA_PATH;
  if (current === TEST_CA_PATH || readFileSync(current, 'utf8').includes(readFileSync(TEST_CA_PATH, 'utf8')))
    return current;
  const bundle = path.join(tmpdir(), `crm-test-ca-${process.pid}.pem`);
  writeFileSync(bundle, `${readFileSync(current, 'utf8').trimEnd()}\n${readFileSync(TEST_CA_PATH, 'utf8')}`);
  return bundle;
}

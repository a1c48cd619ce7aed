import { spawn } from 'node:child_process';
import { extraCaCertsWithTestCa } from '../emulators/tls/index.ts';

// Runs a command whose Node processes trust the HTTPS emulators (NODE_EXTRA_CA_CERTS is read only at startup):
// `node --import tsx tests/support/with-test-ca.ts node --import tsx tests/bench/run.ts`.
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-test-ca.ts <command> [args...]');
  process.exit(2);
}
const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: extraCaCertsWithTestCa(process.env.NODE_EXTRA_CA_CERTS) },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

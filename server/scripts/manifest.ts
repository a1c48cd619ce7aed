/**
 * Writes the Outlook XML add-in manifest for a given https origin.
 *
 *   npm run manifest -- --host https://crm.bank.example [--out manifest.xml] [--version 1.0.0.1]
 *   node --import tsx server/scripts/manifest.ts --host https://localhost:3000
 *
 * `--out` is resolved against the current directory (default `./manifest.xml`).
 * Exits with code 1 and a message on invalid input. See server/src/manifest/manifest.ts.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderManifest } from '../src/manifest/manifest.ts';

const USAGE = `Usage: npm run manifest -- --host https://crm.bank.example [--out manifest.xml]
Options:
  --host <origin>         https origin serving /taskpane.html and /assets (required)
  --out <file>            output path, relative to the current directory (default: manifest.xml)
  --version <n.n.n.n>     manifest version (default: 1.0.0.0)
  --id <guid>             add-in id (default: the product's fixed id)
  --display-name <name>   display name for all locales (default: "Банк CRM" / en-US "Bank CRM")
  -h, --help              show this help`;

function fail(message: string): never {
  process.stderr.write(`manifest: ${message}\n\n${USAGE}\n`);
  process.exit(1);
}

function main(): void {
  let values: {
    host?: string;
    out?: string;
    version?: string;
    id?: string;
    'display-name'?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        host: { type: 'string' },
        out: { type: 'string' },
        version: { type: 'string' },
        id: { type: 'string' },
        'display-name': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail((err as Error).message);
  }

  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.host === undefined) fail('--host is required');

  let xml: string;
  try {
    xml = renderManifest({
      host: values.host,
      id: values.id,
      version: values.version,
      displayName: values['display-name'],
    });
  } catch (err) {
    fail((err as Error).message);
  }

  const out = resolve(process.cwd(), values.out ?? 'manifest.xml');
  try {
    writeFileSync(out, xml, 'utf8');
  } catch (err) {
    fail(`cannot write ${out}: ${(err as Error).message}`);
  }
  process.stdout.write(`manifest: wrote ${out}\n`);
}

main();

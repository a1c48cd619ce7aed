import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, startEmbeddedPostgres } from '../../server/src/db/embedded.ts';

// `npm start` without DATABASE_URL on a machine where the embedded PostgreSQL's port is taken (new-user
// trial: it died with "The promise rejected with the reason undefined").

const dir = mkdtempSync(path.join(tmpdir(), 'crm-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded PostgreSQL', () => {
  it('says the port is taken and which setting to change, and touches no data directory', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const start = startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
      await expect(start).rejects.toBeInstanceOf(EmbeddedPostgresError);
      await expect(start).rejects.toThrow(new RegExp(`port ${port} .*CRM_EMBEDDED_PG_PORT.*DATABASE_URL`));
      expect(existsSync(path.join(dir, 'pg'))).toBe(false);
    } finally {
      squatter.close();
    }
  });
});

import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { GRANTS, type Grant, ROLES, type Role } from '@crm/shared';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/database.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { provisionUser } from '../src/modules/users/users.service.ts';

// npm run user -w server -- --email a.b@bank.example --name "Фамилия Имя" --role relationship_manager
//   [--branch MSK-01] [--supervisor sup1@bank.example] [--tid <tenant guid> --oid <object guid>]
//   [--grant view_personal_data] [--grant admin]
// Creates or updates a CRM user (by email) before their first Entra ID sign-in; grants not named are revoked.
// Every change is audited (channel `cli`, actor: none).
const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    branch: { type: 'string' },
    supervisor: { type: 'string' },
    tid: { type: 'string' },
    oid: { type: 'string' },
    grant: { type: 'string', multiple: true, default: [] },
  },
});
const fail = (m: string) => {
  console.error(m);
  process.exit(2);
};
if (!values.email || !values.name || !values.role) fail('--email, --name and --role are required');
if (!(ROLES as readonly string[]).includes(values.role!)) fail(`--role must be one of ${ROLES.join(', ')}`);
for (const g of values.grant)
  if (!(GRANTS as readonly string[]).includes(g)) fail(`--grant must be one of ${GRANTS.join(', ')}`);

const config = loadConfig(process.env);
const embedded = config.databaseUrl
  ? null
  : await startEmbeddedPostgres({ dataDir: `${config.dataDir}/pg`, port: config.embeddedPgPort });
const db = createDb(config.databaseUrl ?? embedded!.url);
let code = 0;
try {
  await migrateToLatest(db);
  const { id, created } = await provisionUser(
    db,
    null,
    {
      ip: 'local',
      userAgent: `cli (${userInfo().username})`,
      channel: 'cli',
      requestId: `cli-${Date.now()}`,
    },
    {
      email: values.email!,
      name: values.name!,
      role: values.role as Role,
      branchCode: values.branch ?? null,
      supervisorEmail: values.supervisor ?? null,
      entraTenantId: values.tid ?? null,
      entraObjectId: values.oid ?? null,
      grants: values.grant as Grant[],
    },
  );
  console.log(`${created ? 'created' : 'updated'} user ${id}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  code = 1;
} finally {
  await db.destroy();
  await embedded?.stop();
}
process.exit(code);

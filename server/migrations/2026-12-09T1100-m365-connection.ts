import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// 1. `m365_connection`: the Microsoft 365 (Graph app-only) connection set on the admin page, one row at most
//    (id = 1). Secrets are never stored: only the NAME of the environment variable holding the client secret
//    or the certificate's PEM private key. When the row is present and enabled it wins over CRM_GRAPH_*.
// 2. `entra_role_mappings`: Entra app roles (`roles` claim) or groups (`groups` claim, object id) that
//    provision and set a CRM role at sign-in. When any row exists they replace CRM_ENTRA_ROLE_MAPPING.

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table m365_connection (
    id smallint primary key default 1 check (id = 1),
    tenant_id text not null,
    client_id text not null,
    credential_kind text not null check (credential_kind in ('secret', 'certificate')),
    secret_env_name text check (secret_env_name ~ '^CRM_[A-Z0-9_]+$'),
    certificate_thumbprint text check (certificate_thumbprint ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
    certificate_key_env_name text check (certificate_key_env_name ~ '^CRM_[A-Z0-9_]+$'),
    graph_base_url text not null,
    authority_host text not null,
    service_mailbox text,
    mailbox_concurrency integer not null check (mailbox_concurrency between 1 and 4),
    enabled boolean not null default true,
    version integer not null default 1,
    updated_at timestamptz not null default now(),
    updated_by uuid references users(id),
    check (credential_kind <> 'secret' or secret_env_name is not null),
    check (credential_kind <> 'certificate'
      or (certificate_thumbprint is not null and certificate_key_env_name is not null))
  )`.execute(db);
  await sql`create table entra_role_mappings (
    id uuid primary key default gen_random_uuid(),
    kind text not null check (kind in ('app_role', 'group')),
    value text not null,
    role text not null check (role in ('relationship_manager', 'supervisor', 'credit_officer', 'admin')),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    created_by uuid references users(id),
    unique (kind, value)
  )`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table entra_role_mappings`.execute(db);
  await sql`drop table m365_connection`.execute(db);
}

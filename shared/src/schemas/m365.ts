import { type Static, Type } from 'typebox';
import { ROLES } from './auth.ts';
import { DateTime, FIELD_MESSAGE_KEYWORD, Id } from './common.ts';

// The Microsoft 365 connection of the admin page (/api/v1/admin/m365*, /api/v1/admin/entra-role-mappings).
// Secrets never travel: the connection names the server's environment variable holding the client secret
// (or the certificate's private key) and the API says only whether that variable is set.

export const CREDENTIAL_KINDS = ['secret', 'certificate'] as const;
export const ROLE_MAPPING_KINDS = ['app_role', 'group'] as const;
/** Where the effective Graph connection comes from: the saved settings, CRM_GRAPH_* or nowhere (off). */
export const M365_SOURCES = ['database', 'environment', 'none'] as const;

const Guid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
});
/**
 * The NAME of a server environment variable holding the credential (the project keeps secrets only in the
 * environment): `CRM_GRAPH_CLIENT_SECRET` or `CRM_M365_*`, never another server secret.
 */
export const M365_SECRET_ENV_PATTERN = '^CRM_(GRAPH_CLIENT_SECRET|M365_[A-Z0-9_]{1,60})$';
export const EnvVarName = Type.String({ pattern: M365_SECRET_ENV_PATTERN, maxLength: 100 });
const Mailbox = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });
/** https URL (Entra and Graph answer only over TLS; the host is checked by the server). */
const BaseUrl = Type.String({
  minLength: 9,
  maxLength: 300,
  pattern: '^https://',
  [FIELD_MESSAGE_KEYWORD]:
    'must be an https URL, e.g. https://graph.microsoft.com/v1.0 (Entra and Graph answer only over TLS)',
});

/** A write-only secret reference: the variable's name and whether the server's environment has it. */
export const SecretRef = Type.Object({
  envName: Type.Union([Type.String(), Type.Null()]),
  set: Type.Boolean(),
});

/** GET /admin/m365: the saved settings (version 0: none saved yet) and what is in effect. */
export const M365Settings = Type.Object({
  tenantId: Type.String(),
  clientId: Type.String(),
  credentialKind: Type.Enum(CREDENTIAL_KINDS),
  secret: SecretRef,
  certificateThumbprint: Type.Union([Type.String(), Type.Null()]),
  certificateKey: SecretRef,
  graphBaseUrl: Type.String(),
  authorityHost: Type.String(),
  serviceMailbox: Type.Union([Type.String(), Type.Null()]),
  /** Parallel Graph requests per mailbox, 1..4. */
  mailboxConcurrency: Type.Integer(),
  enabled: Type.Boolean(),
  version: Type.Integer(),
  updatedAt: Type.Union([DateTime, Type.Null()]),
  updatedBy: Type.Union([Type.Object({ id: Id, name: Type.String() }), Type.Null()]),
  /** The connection jobs use now: these settings when saved and enabled, else CRM_GRAPH_*, else none. */
  effectiveSource: Type.Enum(M365_SOURCES),
  /**
   * Why the connection in effect cannot work as it stands (e.g. `CRM_M365_SECRET is not set in the server's
   * environment`): sync and mail wait until it is fixed. Null when nothing is known to be wrong.
   */
  effectiveProblem: Type.Union([Type.String(), Type.Null()]),
});
export type M365SettingsDto = Static<typeof M365Settings>;

/**
 * PUT /admin/m365: the whole connection. `version`: the one read (0 when none was saved). `secretEnvName` with
 * credentialKind `secret`; `certificateThumbprint` (hex SHA-1 or SHA-256) + `certificateKeyEnvName` with `certificate`.
 */
export const UpdateM365Settings = Type.Object(
  {
    version: Type.Integer({ minimum: 0 }),
    tenantId: Guid,
    clientId: Guid,
    credentialKind: Type.Enum(CREDENTIAL_KINDS),
    secretEnvName: Type.Union([EnvVarName, Type.Null()]),
    certificateThumbprint: Type.Union([
      Type.String({ pattern: '^(?:[0-9a-fA-F]{2}[:\\s]?){19}[0-9a-fA-F]{2}$|^[0-9a-fA-F]{64}$' }),
      Type.Null(),
    ]),
    certificateKeyEnvName: Type.Union([EnvVarName, Type.Null()]),
    graphBaseUrl: BaseUrl,
    authorityHost: BaseUrl,
    serviceMailbox: Type.Union([Mailbox, Type.Null()]),
    mailboxConcurrency: Type.Integer({ minimum: 1, maximum: 4 }),
    enabled: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type UpdateM365SettingsDto = Static<typeof UpdateM365Settings>;

/** POST /admin/m365/test: reads this mailbox's calendar with the saved connection. */
export const M365TestRequest = Type.Object({ mailbox: Mailbox }, { additionalProperties: false });
export type M365TestRequestDto = Static<typeof M365TestRequest>;

/**
 * The test's outcome. `stage`: where it stopped (`config`: nothing to test with; `token`: the token endpoint
 * refused, e.g. AADSTS7000215; `graph`: Graph refused, e.g. 404 MailboxNotEnabledForRESTAPI). `code` and
 * `message` are the service's own; `elapsedMs` the whole test's time.
 */
export const M365TestResult = Type.Object({
  ok: Type.Boolean(),
  stage: Type.Union([Type.Enum(['config', 'token', 'graph'] as const), Type.Null()]),
  status: Type.Union([Type.Integer(), Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
  source: Type.Enum(M365_SOURCES),
  elapsedMs: Type.Integer(),
});
export type M365TestResultDto = Static<typeof M365TestResult>;

/** GET /admin/m365/health: the sync's state now. Times ISO 8601; counts are rows. */
export const M365Health = Type.Object({
  source: Type.Enum(M365_SOURCES),
  /** graphile-worker jobs by task: waiting/running (`pending`), failed and retrying, failed for good. */
  queue: Type.Array(
    Type.Object({
      task: Type.String(),
      pending: Type.Integer(),
      retrying: Type.Integer(),
      failed: Type.Integer(),
    }),
  ),
  /** Calendar links that did not sync, by state and reason (the Graph error). */
  failures: Type.Array(Type.Object({ state: Type.String(), reason: Type.String(), count: Type.Integer() })),
  notSyncable: Type.Array(
    Type.Object({
      userId: Id,
      name: Type.String(),
      mailbox: Type.String(),
      reason: Type.Union([Type.String(), Type.Null()]),
      since: DateTime,
    }),
  ),
  subscriptions: Type.Array(
    Type.Object({
      id: Type.String(),
      mailbox: Type.String(),
      state: Type.String(),
      expiresAt: DateTime,
      /** `expired`, `expiring` (within 12 hours) or `ok`. */
      expiry: Type.Enum(['expired', 'expiring', 'ok'] as const),
    }),
  ),
  subscriptionsExpired: Type.Integer(),
  subscriptionsExpiringSoon: Type.Integer(),
  lastSyncedAt: Type.Union([DateTime, Type.Null()]),
  checkedAt: DateTime,
});
export type M365HealthDto = Static<typeof M365Health>;

/** An Entra app role (`roles` claim value) or group (object id in `groups`) that gives a CRM role at sign-in. */
export const EntraRoleMapping = Type.Object({
  id: Id,
  kind: Type.Enum(ROLE_MAPPING_KINDS),
  value: Type.String(),
  role: Type.Enum(ROLES),
  version: Type.Integer(),
  createdAt: DateTime,
});
export type EntraRoleMappingDto = Static<typeof EntraRoleMapping>;
/** GET /admin/entra-role-mappings: the saved mappings; `envFallback`: CRM_ENTRA_ROLE_MAPPING is used instead (none saved). */
export const EntraRoleMappingList = Type.Object({
  items: Type.Array(EntraRoleMapping),
  envFallback: Type.Array(Type.Object({ claim: Type.String(), role: Type.Enum(ROLES) })),
});
export type EntraRoleMappingListDto = Static<typeof EntraRoleMappingList>;
/** POST /admin/entra-role-mappings: a group's value must be its object id (GUID). */
export const CreateEntraRoleMapping = Type.Object(
  {
    kind: Type.Enum(ROLE_MAPPING_KINDS),
    value: Type.String({ minLength: 1, maxLength: 120, pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]*$' }),
    role: Type.Enum(ROLES),
  },
  { additionalProperties: false },
);
export type CreateEntraRoleMappingDto = Static<typeof CreateEntraRoleMapping>;

import { type Static, Type } from 'typebox';
import { GRANTS, ROLES } from './auth.ts';
import { DateTime, Id, NonBlankText, UserRef } from './common.ts';

// The admin page's API (/api/v1/admin/*, admin rights only). Every change carries the `version` the admin
// saw; someone else's newer save answers 409 VERSION_CONFLICT instead of being overwritten.

/** An Entra ID tenant or object id as the portal shows it (any case); stored lower-case. */
export const EntraGuid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
});
/** An email address; normalised and checked by the server (shared `normalizeAddress`). */
const EmailText = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' });
const Version = Type.Integer({ minimum: 1 });

/** A user as the admin page lists and edits them. `openTasks`...`openStages`: what deactivation would move. */
export const AdminUser = Type.Object({
  id: Id,
  name: Type.String(),
  email: Type.String(),
  aliases: Type.Array(Type.String()),
  role: Type.Enum(ROLES),
  grants: Type.Array(Type.Enum(GRANTS)),
  branch: Type.Union([Type.Object({ id: Id, code: Type.String(), name: Type.String() }), Type.Null()]),
  team: Type.Union([Type.Object({ id: Id, name: Type.String() }), Type.Null()]),
  supervisor: Type.Union([UserRef, Type.Null()]),
  entraTenantId: Type.Union([Type.String(), Type.Null()]),
  entraObjectId: Type.Union([Type.String(), Type.Null()]),
  isActive: Type.Boolean(),
  deactivatedAt: Type.Union([DateTime, Type.Null()]),
  openTasks: Type.Integer(),
  managedClients: Type.Integer(),
  /** Active users whose supervisor they are, teams they supervise, open credit stages they own. */
  directReports: Type.Integer(),
  supervisedTeams: Type.Integer(),
  openStages: Type.Integer(),
  version: Type.Integer(),
});
export type AdminUserDto = Static<typeof AdminUser>;

/** GET /admin/users: `q` matches name, email or an alias (substring, any case). Sorted by name. */
export const AdminUsersQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    role: Type.Optional(Type.Enum(ROLES)),
    branchId: Type.Optional(Id),
    active: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  { additionalProperties: false },
);
export type AdminUsersQueryDto = Static<typeof AdminUsersQuery>;
export const AdminUsersPage = Type.Object({ items: Type.Array(AdminUser), total: Type.Integer() });
export type AdminUsersPageDto = Static<typeof AdminUsersPage>;

/** POST /admin/users. Both Entra ids or neither; a supervisor must have the supervisor role. */
export const CreateAdminUserRequest = Type.Object(
  {
    name: NonBlankText(200),
    email: EmailText,
    aliases: Type.Optional(Type.Array(EmailText, { maxItems: 20 })),
    role: Type.Enum(ROLES),
    branchId: Type.Optional(Type.Union([Id, Type.Null()])),
    teamId: Type.Optional(Type.Union([Id, Type.Null()])),
    supervisorId: Type.Optional(Type.Union([Id, Type.Null()])),
    entraTenantId: Type.Optional(Type.Union([EntraGuid, Type.Null()])),
    entraObjectId: Type.Optional(Type.Union([EntraGuid, Type.Null()])),
    grants: Type.Optional(Type.Array(Type.Enum(GRANTS), { maxItems: GRANTS.length, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type CreateAdminUserRequestDto = Static<typeof CreateAdminUserRequest>;

/** PATCH /admin/users/:id: the fields given change; `aliases` and `grants` are the complete new sets. */
export const UpdateAdminUserRequest = Type.Object(
  {
    version: Version,
    name: Type.Optional(NonBlankText(200)),
    aliases: Type.Optional(Type.Array(EmailText, { maxItems: 20 })),
    role: Type.Optional(Type.Enum(ROLES)),
    branchId: Type.Optional(Type.Union([Id, Type.Null()])),
    teamId: Type.Optional(Type.Union([Id, Type.Null()])),
    supervisorId: Type.Optional(Type.Union([Id, Type.Null()])),
    entraTenantId: Type.Optional(Type.Union([EntraGuid, Type.Null()])),
    entraObjectId: Type.Optional(Type.Union([EntraGuid, Type.Null()])),
    grants: Type.Optional(Type.Array(Type.Enum(GRANTS), { maxItems: GRANTS.length, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type UpdateAdminUserRequestDto = Static<typeof UpdateAdminUserRequest>;

/**
 * POST /admin/users/:id/deactivate. A user with open tasks or managed clients needs `reassignTo` (an active
 * user): the tasks (assignee) and clients (manager) move to them in the deactivation's transaction.
 */
export const DeactivateUserRequest = Type.Object(
  { version: Version, reassignTo: Type.Optional(Id) },
  { additionalProperties: false },
);
export type DeactivateUserRequestDto = Static<typeof DeactivateUserRequest>;

/** 409 REASSIGNMENT_REQUIRED: what is still the user's. */
export const ReassignmentRequiredBody = Type.Object({
  statusCode: Type.Literal(409),
  code: Type.Literal('REASSIGNMENT_REQUIRED'),
  message: Type.String(),
  requestId: Type.String(),
  field: Type.String(),
  openTasks: Type.Integer(),
  managedClients: Type.Integer(),
  /** Active users whose supervisor they are. */
  directReports: Type.Integer(),
  /** Teams they supervise. */
  supervisedTeams: Type.Integer(),
  /** Open credit application stages they own by name. */
  openStages: Type.Integer(),
});
export type ReassignmentRequiredBodyDto = Static<typeof ReassignmentRequiredBody>;

export const DeactivateUserResult = Type.Object({
  user: AdminUser,
  movedTasks: Type.Integer(),
  movedClients: Type.Integer(),
  movedReports: Type.Integer(),
  movedTeams: Type.Integer(),
  movedStages: Type.Integer(),
});
export type DeactivateUserResultDto = Static<typeof DeactivateUserResult>;

// Organisation: regions -> branches -> teams.

/** A branch code such as `MSK-01`. */
export const BranchCode = Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]{0,15}$' });
/** An IANA time zone name (`Europe/Moscow`); the server also checks it with Intl. */
export const TimeZoneName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z][A-Za-z0-9_+\\-/]*$',
});

export const Region = Type.Object({ id: Id, name: Type.String(), version: Type.Integer() });
export type RegionDto = Static<typeof Region>;
export const Branch = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  regionId: Type.Union([Id, Type.Null()]),
  timeZone: Type.String(),
  users: Type.Integer(),
  version: Type.Integer(),
});
export type BranchDto = Static<typeof Branch>;
export const Team = Type.Object({
  id: Id,
  branchId: Id,
  name: Type.String(),
  supervisor: Type.Union([UserRef, Type.Null()]),
  members: Type.Integer(),
  version: Type.Integer(),
});
export type TeamDto = Static<typeof Team>;
/** GET /admin/organisation: the whole tree in one answer (a bank has tens of branches, not thousands). */
export const Organisation = Type.Object({
  regions: Type.Array(Region),
  branches: Type.Array(Branch),
  teams: Type.Array(Team),
});
export type OrganisationDto = Static<typeof Organisation>;

export const CreateRegionRequest = Type.Object({ name: NonBlankText(200) }, { additionalProperties: false });
export type CreateRegionRequestDto = Static<typeof CreateRegionRequest>;
export const UpdateRegionRequest = Type.Object(
  { version: Version, name: NonBlankText(200) },
  { additionalProperties: false },
);
export type UpdateRegionRequestDto = Static<typeof UpdateRegionRequest>;

export const CreateBranchRequest = Type.Object(
  { code: BranchCode, name: NonBlankText(200), regionId: Id, timeZone: TimeZoneName },
  { additionalProperties: false },
);
export type CreateBranchRequestDto = Static<typeof CreateBranchRequest>;
export const UpdateBranchRequest = Type.Object(
  {
    version: Version,
    code: Type.Optional(BranchCode),
    name: Type.Optional(NonBlankText(200)),
    regionId: Type.Optional(Id),
    timeZone: Type.Optional(TimeZoneName),
  },
  { additionalProperties: false },
);
export type UpdateBranchRequestDto = Static<typeof UpdateBranchRequest>;

export const CreateTeamRequest = Type.Object(
  { branchId: Id, name: NonBlankText(200), supervisorId: Type.Optional(Type.Union([Id, Type.Null()])) },
  { additionalProperties: false },
);
export type CreateTeamRequestDto = Static<typeof CreateTeamRequest>;
/** PATCH /admin/teams/:id. A new `branchId` moves the team with its people (their branch follows). */
export const UpdateTeamRequest = Type.Object(
  {
    version: Version,
    name: Type.Optional(NonBlankText(200)),
    branchId: Type.Optional(Id),
    supervisorId: Type.Optional(Type.Union([Id, Type.Null()])),
  },
  { additionalProperties: false },
);
export type UpdateTeamRequestDto = Static<typeof UpdateTeamRequest>;

/** GET /admin/audit-events.csv: the audit query's filters, without paging (at most 100 000 rows). */
export const AuditExportQuery = Type.Object(
  {
    clientId: Type.Optional(Id),
    userId: Type.Optional(Id),
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z_.]+$' })),
  },
  { additionalProperties: false },
);
export type AuditExportQueryDto = Static<typeof AuditExportQuery>;

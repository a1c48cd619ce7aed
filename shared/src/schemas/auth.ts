import { type Static, Type } from 'typebox';
import { Id } from './common.ts';

/**
 * CRM roles (architecture.md, "Access rules"): a relationship manager sees the clients they manage and those
 * their branch serves; a supervisor what their team sees; a credit officer the clients with credit
 * applications in their branch; an admin settings, users and audit but no client data.
 */
export const ROLES = ['relationship_manager', 'supervisor', 'credit_officer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Rights granted on top of a role (table `role_grants`):
 * - `view_personal_data`: unmasked birth date (and passport, document numbers, income when those fields come);
 * - `admin`: admin rights (audit, settings) for a user whose role is a business role.
 */
export const GRANTS = ['view_personal_data', 'admin'] as const;
export type Grant = (typeof GRANTS)[number];

/** A demo user offered by the dev sign-in (GET /api/v1/dev/users). */
export const DevUser = Type.Object({
  id: Id,
  name: Type.String(),
  email: Type.String(),
  role: Type.Enum(ROLES),
  branch: Type.Union([Type.String(), Type.Null()]),
});
export type DevUserDto = Static<typeof DevUser>;

export const DevTokenRequest = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320 }) },
  { additionalProperties: false },
);
export const DevTokenResponse = Type.Object({ accessToken: Type.String() });

/** GET /api/v1/me: who the token belongs to. */
export const Me = Type.Object({
  id: Id,
  name: Type.String(),
  email: Type.String(),
  role: Type.Enum(ROLES),
  grants: Type.Array(Type.Enum(GRANTS)),
  aliases: Type.Array(Type.String()),
});
export type MeDto = Static<typeof Me>;

/**
 * GET /api/v1/auth/config (public): how the pane signs in. `devSignIn`: the demo-user picker is offered;
 * `entra`: Microsoft Entra ID through MSAL, null when off. No personal data, no secrets.
 */
export const AuthConfig = Type.Object({
  devSignIn: Type.Boolean(),
  entra: Type.Union([
    Type.Object({
      /** The add-in's app registration (SPA). */
      clientId: Type.String(),
      /** e.g. `https://login.microsoftonline.com/organizations`, or a tenant id, or a national cloud's host. */
      authority: Type.String(),
      /** The API's delegated scope(s), e.g. `api://<client id>/access_as_user`: every token request names them. */
      scopes: Type.Array(Type.String(), { minItems: 1 }),
    }),
    Type.Null(),
  ]),
});
export type AuthConfigDto = Static<typeof AuthConfig>;

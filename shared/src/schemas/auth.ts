import { type Static, Type } from 'typebox';
import { Id } from './common.ts';

export const ROLES = ['relationship_manager', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

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
  aliases: Type.Array(Type.String()),
});
export type MeDto = Static<typeof Me>;

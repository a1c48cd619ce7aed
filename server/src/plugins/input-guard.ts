import { AppError } from '@crm/shared';

/**
 * Path of the first string inside `value` that holds a NUL character, e.g. `body.participants.2.emailAddress`;
 * null when there is none. PostgreSQL text cannot store U+0000, so such input is refused up front with the
 * field named instead of failing inside a transaction.
 */
export function findNulCharacter(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = findNulCharacter(v, `${path}.${i}`);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = k.includes('\u0000') ? `${path}.${k}` : findNulCharacter(v, `${path}.${k}`);
      if (hit) return hit;
    }
  }
  return null;
}

/** preValidation hook: 400 VALIDATION_FAILED naming the field when a body or query string holds U+0000. */
export async function refuseNulCharacters(request: { body?: unknown; query?: unknown }): Promise<void> {
  const field = findNulCharacter(request.body, 'body') ?? findNulCharacter(request.query, 'querystring');
  if (field) throw new AppError('VALIDATION_FAILED', `${field}: must not contain NUL characters`, field);
}

import { AppError } from '@crm/shared';

/** No payload of this API nests deeper; deeper input is refused rather than walked (a 5,000-level array overflowed the stack). */
export const MAX_INPUT_DEPTH = 32;

/**
 * Path of the first string inside `value` that holds a NUL character, e.g. `body.participants.2.emailAddress`;
 * null when there is none. PostgreSQL text cannot store U+0000, so such input is refused up front with the
 * field named instead of failing inside a transaction. Walks with its own stack, never recursion.
 * @throws AppError VALIDATION_FAILED when the input nests deeper than MAX_INPUT_DEPTH (field: where)
 */
export function findNulCharacter(value: unknown, path: string): string | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path, depth: 0 }];
  while (stack.length > 0) {
    const { v, path: at, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return at;
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH)
      throw new AppError('VALIDATION_FAILED', `${at}: nested more than ${MAX_INPUT_DEPTH} levels deep`, at);
    // Pushed in reverse, so the first offending field in document order is found first.
    const entries = Array.isArray(v) ? [...v.entries()] : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i]!;
      if (typeof k === 'string' && k.includes('\u0000')) return `${at}.${k}`;
      stack.push({ v: child, path: `${at}.${k}`, depth: depth + 1 });
    }
  }
  return null;
}

/** preValidation hook: 400 VALIDATION_FAILED naming the field when a body or query string holds U+0000. */
export async function refuseNulCharacters(request: { body?: unknown; query?: unknown }): Promise<void> {
  const field = findNulCharacter(request.body, 'body') ?? findNulCharacter(request.query, 'querystring');
  if (field) throw new AppError('VALIDATION_FAILED', `${field}: must not contain NUL characters`, field);
}

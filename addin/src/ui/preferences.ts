// Choices a user makes on a page (language, theme) kept in this browser across reloads. Only where the page
// itself offers the choice: inside Outlook the pane follows Office's language and theme instead.

/** The stored value of `key` when it is one of `allowed`, else null (nothing stored, storage blocked). */
export function storedChoice<T extends string>(key: string, allowed: readonly T[]): T | null {
  try {
    const v = localStorage.getItem(key);
    return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : null;
  } catch {
    return null; // storage disabled (private mode, policy): the choice lasts until the page closes
  }
}

/** Keeps `value` for `key`; silently nothing when storage is unavailable. */
export function storeChoice(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // see storedChoice
  }
}

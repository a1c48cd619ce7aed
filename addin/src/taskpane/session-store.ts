import type { MailContextResponseDto, TaskDto } from '@crm/shared';

// In-memory state that outlives a rendered item, for one signed-in session: a pinned pane switching
// items must not lose a half-typed task, and a revisited item paints at once from the last answer.
// Nothing here is persisted: client data stays out of browser storage.

export type TaskDraft = {
  open: boolean;
  title: string;
  type: TaskDto['type'];
  priority: TaskDto['priority'];
  /** `YYYY-MM-DD` or '' */
  due: string;
  /** Planned minutes as typed; undefined = the chosen type's default duration (follows a type change). */
  duration?: string;
  /** Idempotency key of this draft's create: the same across retries, new for the next task. */
  requestKey: string;
};

/** Last mail-context answer per item (see `itemKey`). */
export const contextCache = new Map<string, MailContextResponseDto>();
/** "Add task" drafts per item + client. */
export const taskDrafts = new Map<string, TaskDraft>();
/** The client the RM picked for an address several clients share, per item + address. */
export const clientChoices = new Map<string, string>();

// A pinned pane may see hundreds of items in a day: keep the most recent answers only.
const CONTEXT_CACHE_LIMIT = 100;

/** Caches an item's answer as the most recent one, dropping the oldest beyond the limit. */
export function rememberContext(key: string, data: MailContextResponseDto): void {
  contextCache.delete(key);
  contextCache.set(key, data);
  while (contextCache.size > CONTEXT_CACHE_LIMIT) {
    const oldest = contextCache.keys().next().value;
    if (oldest === undefined) break;
    contextCache.delete(oldest);
  }
}

export const draftKey = (itemKey: string, clientId: string) => `${itemKey}|${clientId}`;

/** Forgets everything (sign-out, or another user signing in). */
export function clearSession(): void {
  contextCache.clear();
  taskDrafts.clear();
  clientChoices.clear();
}

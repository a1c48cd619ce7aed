import type { TaskCatalogDto } from '@crm/shared';
import { useEffect, useSyncExternalStore } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { type Dict, type Lang, useI18n } from '../ui/i18n.ts';

// The configured task types and priorities (GET /task-types), loaded once per pane session and shared by
// every card. Until it arrives, or when it cannot be loaded, the built-in names of the six seeded types stand
// in, so a task list never shows blanks.

/** The catalog's state: `ready` with the data, or still loading, or failed with the error (retry refetches). */
export type CatalogState =
  | { kind: 'loading' }
  | { kind: 'ready'; catalog: TaskCatalogDto }
  | { kind: 'error'; error: unknown };

let state: CatalogState = { kind: 'loading' };
let inFlight: Promise<void> | null = null;
const listeners = new Set<() => void>();

function setState(next: CatalogState) {
  state = next;
  for (const l of listeners) l();
}

/** Loads the catalog unless it is loaded or loading; `force` reloads after an error. */
export function loadTaskCatalog(force = false): Promise<void> {
  if (inFlight || (state.kind === 'ready' && !force)) return inFlight ?? Promise.resolve();
  if (state.kind !== 'loading') setState({ kind: 'loading' });
  inFlight = crmApi
    .taskCatalog()
    .then(
      (catalog) => setState({ kind: 'ready', catalog }),
      (error) => setState({ kind: 'error', error }),
    )
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}

/** The catalog state; starts the load on first use. */
export function useTaskCatalog(): CatalogState {
  const current = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => state,
  );
  useEffect(() => {
    if (state.kind === 'loading') void loadTaskCatalog();
  }, []);
  return current;
}

/** A task type's name in `lang`: the configured one, else the built-in one, else its code. */
export function taskTypeName(code: string, lang: Lang, t: Dict, s: CatalogState = state): string {
  if (s.kind === 'ready') {
    const x =
      s.catalog.taskTypes.find((y) => y.code === code) ??
      s.catalog.inactiveTaskTypes.find((y) => y.code === code);
    if (x) return x.names[lang];
  }
  // Own keys only: a configured code like `constructor` must not find Object.prototype's.
  return Object.hasOwn(t.taskTypes, code) ? (t.taskTypes as Record<string, string>)[code]! : code;
}

/** A priority's name in `lang`: the configured one, else the built-in one. */
export function priorityName(
  code: keyof Dict['priorities'],
  lang: Lang,
  t: Dict,
  s: CatalogState = state,
): string {
  if (s.kind === 'ready') {
    const x = s.catalog.priorities.find((y) => y.code === code);
    if (x) return x.names[lang];
  }
  return t.priorities[code];
}

/** Names of task types and priorities for lists (re-renders when the catalog arrives). */
export function useTaskNames() {
  const { t, lang } = useI18n();
  const s = useTaskCatalog();
  return {
    typeName: (code: string) => taskTypeName(code, lang, t, s),
    priorityName: (code: keyof Dict['priorities']) => priorityName(code, lang, t, s),
  };
}

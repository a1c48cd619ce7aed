import type { ClientCardDto, ConversationStatusDto, InteractionStatusDto } from '@crm/shared';
import { createContext, useCallback, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { crmApi } from '../api/crm-api.ts';
import type { ItemDetails, MailHost, MailItemContext } from '../office/mail-host.ts';

/**
 * Whether the open item is in the CRM: asked from the server on every item open (another RM, another
 * machine may have logged it), with the thread's status so the pane can offer "Log this reply too".
 */
export type ItemLogState =
  | { kind: 'loading' }
  | {
      kind: 'ready';
      details: ItemDetails | null;
      /** null when the item has no id to look up (a draft). */
      status: InteractionStatusDto | null;
      conversation: ConversationStatusDto | null;
    }
  | { kind: 'error'; error: unknown };

export type ItemLog = {
  state: ItemLogState;
  refresh: () => void;
  host: MailHost;
  item: MailItemContext;
  /** The clients the item resolved to (the log form's choices). */
  clients: ClientCardDto[];
};

export const ItemLogContext = createContext<ItemLog | null>(null);
export const useItemLog = () => useContext(ItemLogContext);

const isAbort = (err: unknown) => err instanceof DOMException && err.name === 'AbortError';
const LOADING: ItemLogState = { kind: 'loading' };

/** Loads the item's logged state whenever `key` (the item) changes; `refresh` asks again (after a write). */
export function useItemLogState(
  host: MailHost,
  item: MailItemContext | null,
  key: string,
): [ItemLogState, () => void] {
  // Tagged with the item it belongs to: a refresh keeps showing the last answer, another item never does.
  const [state, setState] = useState<{ key: string; value: ItemLogState }>({
    key: '',
    value: { kind: 'loading' },
  });
  const [nonce, setNonce] = useState(0);
  // The item is identified by its key; '' while there is none (loading, no item).
  const live = item ? key : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: the item is identified by key; nonce retries
  useEffect(() => {
    if (!item) return;
    const ac = new AbortController();
    setState((s) =>
      s.key === live && s.value.kind === 'ready' ? s : { key: live, value: { kind: 'loading' } },
    );
    (async () => {
      const details = await host.readItemDetails();
      const [status, conversation] = await Promise.all([
        details?.logId ? crmApi.interactionStatus(details.logId, ac.signal) : null,
        item.conversationId ? crmApi.conversation(item.conversationId, ac.signal) : null,
      ]);
      return { details, status, conversation };
    })().then(
      (r) => !ac.signal.aborted && setState({ key: live, value: { kind: 'ready', ...r } }),
      (error) =>
        !isAbort(error) && !ac.signal.aborted && setState({ key: live, value: { kind: 'error', error } }),
    );
    return () => ac.abort();
  }, [host, live, nonce]);
  const refresh = useCallback(() => setNonce((n) => n + 1), []);
  return [state.key === live ? state.value : LOADING, refresh];
}

// A client's history is shown on its card; a log, link or unlink elsewhere bumps its version to reload it.
const historyVersions = new Map<string, number>();
const historyListeners = new Set<() => void>();

export function bumpHistory(clientId: string): void {
  historyVersions.set(clientId, (historyVersions.get(clientId) ?? 0) + 1);
  for (const l of historyListeners) l();
}

export function useHistoryVersion(clientId: string): number {
  return useSyncExternalStore(
    (cb) => {
      historyListeners.add(cb);
      return () => historyListeners.delete(cb);
    },
    () => historyVersions.get(clientId) ?? 0,
  );
}

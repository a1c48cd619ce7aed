import type { ClientCardDto, MailContextResponseDto } from '@crm/shared';
import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { itemKey, type MailHost, type MailItemContext } from '../office/mail-host.ts';
import { contextCache, rememberContext } from './session-store.ts';

/** What the pane shows, as one small union (style.md: view state, not JSX kept in state). */
export type PaneView =
  | { kind: 'starting' }
  | { kind: 'no-item' }
  | { kind: 'loading'; item: MailItemContext; key: string }
  | {
      kind: 'ready';
      item: MailItemContext;
      key: string;
      data: MailContextResponseDto;
      /** A background refresh is running (a revisited item painted from the cache). */
      revalidating: boolean;
      /** The last refresh failed; the data shown is the cached answer. */
      refreshError: unknown;
    }
  | { kind: 'error'; item: MailItemContext | null; error: unknown };

const isAbort = (err: unknown) => err instanceof DOMException && err.name === 'AbortError';

function patchContext(
  data: MailContextResponseDto,
  clientId: string,
  fn: (c: ClientCardDto) => ClientCardDto,
) {
  return {
    participants: data.participants.map((p) => ({
      ...p,
      clients: p.clients.map((c) => (c.id === clientId ? fn(c) : c)),
    })),
  };
}

/**
 * Follows the host's selected item and resolves it through POST /mail-context. A revisited item paints
 * from the in-memory cache at once and revalidates in the background; the page is never reloaded.
 */
export function usePaneView(host: MailHost) {
  const [item, setItem] = useState<MailItemContext | null | undefined>(undefined);
  const [hostError, setHostError] = useState<unknown>(null);
  // ItemChanged could not be registered: the pane still shows the current item but may not follow switches.
  const [followError, setFollowError] = useState<unknown>(null);
  const [nonce, setNonce] = useState(0);
  const [view, setView] = useState<PaneView>({ kind: 'starting' });

  const readItem = useCallback(() => {
    host.readCurrentItem().then(
      (current) => {
        setHostError(null);
        setItem(current);
      },
      (err) => setHostError(err),
    );
  }, [host]);

  useEffect(() => {
    let unsubscribe: (() => void) | null = null;
    let disposed = false;
    readItem();
    host
      .onItemChanged(
        (next) => {
          setHostError(null);
          setItem(next);
        },
        (err) => !disposed && setHostError(err),
      )
      .then(
        (off) => {
          if (disposed) off();
          else unsubscribe = off;
        },
        (err) => !disposed && setFollowError(err),
      );
    return () => {
      disposed = true;
      unsubscribe?.();
    };
  }, [host, readItem]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: nonce is the explicit "reload" trigger
  useEffect(() => {
    if (hostError) {
      setView({ kind: 'error', item: null, error: hostError });
      return;
    }
    if (item === undefined) return;
    if (item === null) {
      setView({ kind: 'no-item' });
      return;
    }
    const key = itemKey(item);
    const cached = contextCache.get(key);
    setView(
      cached
        ? { kind: 'ready', item, key, data: cached, revalidating: true, refreshError: null }
        : { kind: 'loading', item, key },
    );
    const ac = new AbortController();
    crmApi
      .mailContext(
        {
          itemType: item.itemType,
          ...(item.internetMessageId ? { internetMessageId: item.internetMessageId } : {}),
          participants: item.participants,
          userAddresses: item.userAddresses,
        },
        ac.signal,
      )
      .then(
        (data) => {
          rememberContext(key, data);
          setView({ kind: 'ready', item, key, data, revalidating: false, refreshError: null });
        },
        (error) => {
          if (isAbort(error)) return;
          const stale = contextCache.get(key);
          setView(
            stale
              ? { kind: 'ready', item, key, data: stale, revalidating: false, refreshError: error }
              : { kind: 'error', item, error },
          );
        },
      );
    return () => ac.abort();
  }, [item, hostError, nonce]);

  /** Retries: re-reads the item when Office failed to give it, else asks the CRM again. */
  const reload = useCallback(() => {
    if (hostError) readItem();
    else setNonce((n) => n + 1);
  }, [hostError, readItem]);

  /** Applies a local change to one client's card everywhere it is shown or cached (after a write). */
  const patchClient = useCallback((clientId: string, fn: (c: ClientCardDto) => ClientCardDto) => {
    for (const [k, data] of contextCache) contextCache.set(k, patchContext(data, clientId, fn));
    setView((v) => (v.kind === 'ready' ? { ...v, data: patchContext(v.data, clientId, fn) } : v));
  }, []);

  return { view, reload, patchClient, followError };
}

/**
 * What a card needs from the pane around it: the item it belongs to and how to refresh after writes. `item`
 * is null for a card opened with no email or meeting selected (from a notice, a task link): what acts on the
 * item (logging it, a task from it) is then unavailable, the rest of the card works.
 */
export type CardScope = {
  item: MailItemContext | null;
  /** {@link NO_ITEM_KEY} when there is no item. */
  itemKey: string;
  patchClient: (clientId: string, fn: (c: ClientCardDto) => ClientCardDto) => void;
  reload: () => void;
};

/** The item key of cards opened with no item selected (never an {@link itemKey}: those have a prefix). */
export const NO_ITEM_KEY = 'no-item';

export const CardScopeContext = createContext<CardScope | null>(null);

export function useCardScope(): CardScope {
  const scope = useContext(CardScopeContext);
  if (!scope) throw new Error('useCardScope outside a CardScopeContext');
  return scope;
}

import type { ClientCardDto } from '@crm/shared';
import { type JSX, useCallback, useEffect, useMemo, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { CardSkeleton } from './CardSkeleton.tsx';
import { ClientCard } from './ClientCard.tsx';
import type { OpenClientTarget } from './open-client.ts';
import { type CardScope, CardScopeContext, useCardScope } from './use-pane-view.ts';

type Load = { kind: 'loading' } | { kind: 'ready'; card: ClientCardDto } | { kind: 'error'; error: unknown };

const isAbort = (err: unknown) => err instanceof DOMException && err.name === 'AbortError';

/** A client opened from a related link or a search result: GET /clients/:id, in the same card. */
export function ClientDetail({ target }: { target: OpenClientTarget }): JSX.Element {
  const { t } = useI18n();
  const outer = useCardScope();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [nonce, setNonce] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: nonce is the explicit reload trigger
  useEffect(() => {
    const ac = new AbortController();
    setLoad((l) => (l.kind === 'ready' && l.card.id === target.clientId ? l : { kind: 'loading' }));
    crmApi.client(target.clientId, ac.signal).then(
      (card) => setLoad({ kind: 'ready', card }),
      (error) => !isAbort(error) && setLoad({ kind: 'error', error }),
    );
    return () => ac.abort();
  }, [target.clientId, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const scope = useMemo<CardScope>(
    () => ({
      ...outer,
      reload,
      patchClient: (id, fn) => {
        setLoad((l) => (l.kind === 'ready' && l.card.id === id ? { kind: 'ready', card: fn(l.card) } : l));
        outer.patchClient(id, fn);
      },
    }),
    [outer, reload],
  );

  if (load.kind === 'loading') return <CardSkeleton label={target.displayName} />;
  if (load.kind === 'error') return <ErrorBar error={load.error} title={t.loadFailed} onRetry={reload} />;
  return (
    <CardScopeContext.Provider value={scope}>
      <ClientCard card={load.card} />
    </CardScopeContext.Provider>
  );
}

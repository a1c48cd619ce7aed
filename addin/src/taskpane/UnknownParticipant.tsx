import type { ClientSummaryDto, ResolvedParticipantDto } from '@crm/shared';
import {
  Body1,
  Body1Strong,
  Button,
  Caption1,
  Field,
  Link,
  makeStyles,
  SearchBox,
  Spinner,
  tokens,
} from '@fluentui/react-components';
import { type JSX, type ReactNode, useEffect, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { useOpenClient } from './open-client.ts';
import { ProspectForm } from './ProspectForm.tsx';
import { useCardScope } from './use-pane-view.ts';

const useStyles = makeStyles({
  box: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow4,
  },
  list: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-start' },
  icon: { flexShrink: 0, marginTop: '2px', color: tokens.colorNeutralForeground3 },
  text: { display: 'flex', flexDirection: 'column', minWidth: 0, flexGrow: 1, alignItems: 'flex-start' },
  muted: { color: tokens.colorNeutralForeground3 },
  create: { alignSelf: 'flex-start' },
  action: { flexShrink: 0 },
});

type Search =
  | { kind: 'idle' }
  | { kind: 'searching' }
  | { kind: 'done'; items: ClientSummaryDto[] }
  | { kind: 'error'; error: unknown };

const isAbort = (err: unknown) => err instanceof DOMException && err.name === 'AbortError';

/** The initial query: the display name; never a LegacyExchangeDN (senders.json: not an address to search). */
function initialQuery(p: ResolvedParticipantDto): string {
  if (p.displayName.trim()) return p.displayName.trim();
  return p.addressKind === 'smtp' ? p.emailAddress : '';
}

/** One client found (search or duplicate check): name opens the card, details below, an action at the end. */
export function ClientRow({
  c,
  extra,
  action,
}: {
  c: ClientSummaryDto;
  extra?: string;
  action?: ReactNode;
}): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const open = useOpenClient();
  return (
    <li className={s.row}>
      <Icon name={c.kind === 'individual' ? 'person' : 'building'} size={16} className={s.icon} />
      <span className={s.text}>
        <Link as="button" onClick={() => open({ clientId: c.id, displayName: c.displayName })}>
          {c.displayName}
        </Link>
        <Caption1 className={s.muted}>
          {[c.inn && `${t.inn} ${c.inn}`, c.manager?.name, t.statuses[c.status], extra]
            .filter(Boolean)
            .join(' · ')}
        </Caption1>
      </span>
      {action}
    </li>
  );
}

/**
 * "Link address": adds the sender's address to an existing client (POST /clients/:id/contact-points),
 * then the pane resolves the item again and shows that client's card.
 */
export function useLinkAddress(p: ResolvedParticipantDto) {
  const scope = useCardScope();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const link = async (clientId: string) => {
    setBusy(clientId);
    setError(null);
    try {
      await crmApi.addContactPoint(clientId, { kind: 'email', value: p.emailAddress });
      scope.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  return { link, busy, error, possible: p.addressKind === 'smtp' };
}

export function LinkButton({
  c,
  linker,
}: {
  c: ClientSummaryDto;
  linker: ReturnType<typeof useLinkAddress>;
}): JSX.Element | null {
  const s = useStyles();
  const { t } = useI18n();
  if (!linker.possible) return null;
  return (
    <Button
      className={s.action}
      size="small"
      icon={linker.busy === c.id ? <Spinner size="extra-tiny" /> : <Icon name="link" />}
      disabled={linker.busy !== null}
      aria-label={t.linkAddressTo(c.displayName)}
      onClick={() => void linker.link(c.id)}
    >
      {t.linkAddress}
    </Button>
  );
}

/**
 * An unknown participant: said plainly, with a client search prefilled from the name (a result can take
 * the sender's address) and "Create prospect" (duplicate check first).
 */
export default function UnknownParticipant({ p }: { p: ResolvedParticipantDto }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const [q, setQ] = useState(() => initialQuery(p));
  const [search, setSearch] = useState<Search>({ kind: 'idle' });
  const [attempt, setAttempt] = useState(0);
  const [creating, setCreating] = useState(false);
  const linker = useLinkAddress(p);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt is the explicit retry trigger
  useEffect(() => {
    const query = q.trim();
    if (query.length < 2) {
      setSearch({ kind: 'idle' });
      return;
    }
    const ac = new AbortController();
    const timer = setTimeout(() => {
      setSearch({ kind: 'searching' });
      crmApi.searchClients(query, ac.signal).then(
        (r) => setSearch({ kind: 'done', items: r.items }),
        (error) => !isAbort(error) && setSearch({ kind: 'error', error }),
      );
    }, 300);
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [q, attempt]);

  return (
    <div className={s.box}>
      <Body1Strong as="h2">{t.unknownTitle}</Body1Strong>
      <Body1>{t.unknownBody(p.emailAddress, p.addressKind)}</Body1>
      <Field label={t.searchLabel} hint={q.trim().length < 2 ? t.searchTooShort : undefined}>
        <SearchBox
          value={q}
          placeholder={t.searchPlaceholder}
          onChange={(_, d) => setQ(d.value)}
          contentAfter={search.kind === 'searching' ? <Spinner size="extra-tiny" /> : undefined}
        />
      </Field>
      {search.kind === 'error' && <ErrorBar error={search.error} onRetry={() => setAttempt((n) => n + 1)} />}
      {search.kind === 'done' && search.items.length === 0 && (
        <Caption1 className={s.muted}>{t.searchNothing}</Caption1>
      )}
      {search.kind === 'done' && search.items.length > 0 && (
        <ul className={s.list} aria-label={t.searchLabel}>
          {search.items.map((c) => (
            <ClientRow key={c.id} c={c} action={<LinkButton c={c} linker={linker} />} />
          ))}
        </ul>
      )}
      {linker.error !== null && <ErrorBar error={linker.error} />}
      {creating ? (
        <ProspectForm p={p} linker={linker} onCancel={() => setCreating(false)} />
      ) : (
        <Button
          className={s.create}
          size="small"
          icon={<Icon name="personAdd" />}
          onClick={() => setCreating(true)}
        >
          {t.createProspect}
        </Button>
      )}
    </div>
  );
}

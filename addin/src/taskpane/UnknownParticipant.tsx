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
  Tooltip,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useEffect, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { useOpenClient } from './open-client.ts';

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
  text: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  create: { alignSelf: 'flex-start' },
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

/** An unknown participant: said plainly, with a client search prefilled from the name and "Create prospect". */
export default function UnknownParticipant({ p }: { p: ResolvedParticipantDto }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const open = useOpenClient();
  const [q, setQ] = useState(() => initialQuery(p));
  const [search, setSearch] = useState<Search>({ kind: 'idle' });
  const [attempt, setAttempt] = useState(0);

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
      <Body1>{t.unknownBody(p.addressKind === 'smtp' ? p.emailAddress : '')}</Body1>
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
            <li key={c.id} className={s.row}>
              <Icon name={c.kind === 'individual' ? 'person' : 'building'} size={16} className={s.icon} />
              <span className={s.text}>
                <Link as="button" onClick={() => open({ clientId: c.id, displayName: c.displayName })}>
                  {c.displayName}
                </Link>
                <Caption1 className={s.muted}>
                  {[c.inn && `${t.inn} ${c.inn}`, c.manager?.name, t.statuses[c.status]]
                    .filter(Boolean)
                    .join(' · ')}
                </Caption1>
              </span>
            </li>
          ))}
        </ul>
      )}
      <Tooltip content={t.comesLater} relationship="description">
        <Button className={s.create} size="small" icon={<Icon name="add" />} disabledFocusable>
          {t.createProspect}
        </Button>
      </Tooltip>
    </div>
  );
}

import type { ClientCardDto, ClientInteractionsDto, InteractionDetailDto, MeDto } from '@crm/shared';
import {
  Body1,
  Body1Strong,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Link,
  makeStyles,
  Spinner,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useEffect, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { fileSize, shortDateTime } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { Section } from '../ui/layout.tsx';
import { bumpHistory, useHistoryVersion, useItemLog } from './item-log.ts';
import { useMe } from './use-me.ts';

type Entry = ClientInteractionsDto['items'][number];

/** Rows on a card before "Show all" (style.md: a few rows). */
const FIRST_PAGE = 5;
const NEXT_PAGE = 20;

const useStyles = makeStyles({
  list: {
    display: 'flex',
    flexDirection: 'column',
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  row: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    paddingBlock: tokens.spacingVerticalXS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
  },
  toggle: {
    justifyContent: 'flex-start',
    alignItems: 'flex-start',
    textAlign: 'start',
    minWidth: 0,
    width: '100%',
    paddingInline: 0,
    fontWeight: tokens.fontWeightRegular,
  },
  toggleText: { display: 'flex', flexDirection: 'column', minWidth: 0, gap: tokens.spacingVerticalXXS },
  subject: { overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  body: {
    ...{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
    maxHeight: '320px',
    overflowY: 'auto',
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  files: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  file: {
    display: 'inline-flex',
    gap: tokens.spacingHorizontalXS,
    alignItems: 'center',
    overflowWrap: 'anywhere',
  },
  start: { alignSelf: 'flex-start' },
});

const mayUnlink = (m: MeDto | null) =>
  m !== null && (m.role === 'supervisor' || m.role === 'admin' || m.grants.includes('admin'));

/** Saves a downloaded file: the route needs the bearer token, so the bytes come through fetch. */
function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

type Detail =
  | { kind: 'loading' }
  | { kind: 'ready'; detail: InteractionDetailDto }
  | { kind: 'error'; error: unknown };

function HistoryRow({
  entry,
  clientId,
  clientName,
  canUnlink,
  onUnlinked,
}: {
  entry: Entry;
  clientId: string;
  clientName: string;
  canUnlink: boolean;
  onUnlinked: () => void;
}): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [fileError, setFileError] = useState<unknown>(null);
  const [confirming, setConfirming] = useState(false);
  const [unlinking, setUnlinking] = useState(false);
  const [unlinkError, setUnlinkError] = useState<unknown>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt is the explicit retry trigger
  useEffect(() => {
    if (!open || detail?.kind === 'ready') return;
    const ac = new AbortController();
    setDetail({ kind: 'loading' });
    crmApi.interaction(entry.id, ac.signal).then(
      (d) => setDetail({ kind: 'ready', detail: d }),
      (error) => !ac.signal.aborted && setDetail({ kind: 'error', error }),
    );
    return () => ac.abort();
  }, [open, entry.id, attempt]);

  const download = async (sha256: string, filename: string) => {
    setFileError(null);
    try {
      saveBlob(await crmApi.interactionAttachment(entry.id, sha256), filename);
    } catch (error) {
      setFileError(error);
    }
  };

  const unlink = async () => {
    setUnlinking(true);
    setUnlinkError(null);
    try {
      await crmApi.unlinkInteraction(entry.id, clientId);
      setConfirming(false);
      onUnlinked();
    } catch (error) {
      setUnlinkError(error);
    } finally {
      setUnlinking(false);
    }
  };

  const who =
    entry.direction === 'out'
      ? entry.to.map((x) => x.name || x.address).join(', ')
      : entry.from?.name || entry.from?.address;
  const files = detail?.kind === 'ready' ? detail.detail.attachments.filter((a) => !a.inline) : [];
  return (
    <li className={s.row}>
      <Button
        className={s.toggle}
        appearance="transparent"
        aria-expanded={open}
        aria-label={t.historyOpen(entry.subject)}
        icon={<Icon name={open ? 'chevronDown' : 'chevronRight'} />}
        onClick={() => setOpen(!open)}
      >
        <span className={s.toggleText}>
          <Body1Strong className={s.subject}>
            {entry.kind === 'meeting' && <Icon name="calendar" size={14} />} {entry.subject || '—'}
          </Body1Strong>
          <Caption1 className={s.muted}>
            {[
              shortDateTime(entry.sentAt, lang),
              who,
              entry.attachmentCount > 0 && t.historyAttachments(entry.attachmentCount),
            ]
              .filter(Boolean)
              .join(' · ')}
          </Caption1>
          {!open && entry.snippet && <Caption1 className={s.muted}>{entry.snippet}</Caption1>}
        </span>
      </Button>
      {open && detail?.kind === 'loading' && <Spinner size="tiny" label={t.loading} />}
      {open && detail?.kind === 'error' && (
        <ErrorBar error={detail.error} onRetry={() => setAttempt((n) => n + 1)} />
      )}
      {open && detail?.kind === 'ready' && (
        <>
          <Body1 className={s.body} role="document" aria-label={entry.subject}>
            {detail.detail.bodyText.trim() || t.historyNoBody}
          </Body1>
          {detail.detail.quotedHistoryStripped && <Caption1 className={s.muted}>{t.historyQuoted}</Caption1>}
          {files.length > 0 && (
            <ul className={s.files}>
              {files.map((f) => (
                <li key={`${f.sha256}|${f.filename}`}>
                  <Link
                    as="button"
                    className={s.file}
                    aria-label={t.download(f.filename)}
                    onClick={() => void download(f.sha256, f.filename)}
                  >
                    <Icon name="attach" size={14} />
                    {f.filename} · {fileSize(f.size, lang)}
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {fileError !== null && <ErrorBar error={fileError} />}
          {canUnlink && (
            <Button
              className={s.start}
              size="small"
              appearance="subtle"
              icon={<Icon name="delete" />}
              onClick={() => setConfirming(true)}
            >
              {t.unlink}
            </Button>
          )}
        </>
      )}
      <Dialog open={confirming} onOpenChange={(_, d) => !unlinking && setConfirming(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{t.unlinkTitle}</DialogTitle>
            <DialogContent>
              {t.unlinkBody(entry.subject, clientName)}
              {unlinkError !== null && <ErrorBar error={unlinkError} />}
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" disabled={unlinking} onClick={() => void unlink()}>
                {t.unlinkConfirm}
              </Button>
              <Button disabled={unlinking} onClick={() => setConfirming(false)}>
                {t.cancel}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </li>
  );
}

type History =
  | { kind: 'loading' }
  | { kind: 'error'; error: unknown }
  | {
      kind: 'ready';
      items: Entry[];
      nextCursor: string | null;
      more: 'idle' | 'loading' | { error: unknown };
    };

/** The client's logged emails and meetings: the latest 5, one opened at a time on demand, then the rest by pages. */
export default function HistoryBlock({ card }: { card: ClientCardDto }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const version = useHistoryVersion(card.id);
  const log = useItemLog();
  const me = useMe();
  const [history, setHistory] = useState<History>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version and attempt are reload triggers
  useEffect(() => {
    const ac = new AbortController();
    setHistory((h) => (h.kind === 'ready' ? h : { kind: 'loading' }));
    crmApi.clientInteractions(card.id, FIRST_PAGE, null, ac.signal).then(
      (r) => setHistory({ kind: 'ready', items: r.items, nextCursor: r.nextCursor, more: 'idle' }),
      (error) => !ac.signal.aborted && setHistory({ kind: 'error', error }),
    );
    return () => ac.abort();
  }, [card.id, version, attempt]);

  const more = async () => {
    if (history.kind !== 'ready' || !history.nextCursor) return;
    setHistory({ ...history, more: 'loading' });
    try {
      const r = await crmApi.clientInteractions(card.id, NEXT_PAGE, history.nextCursor);
      setHistory((h) =>
        h.kind === 'ready'
          ? {
              kind: 'ready',
              items: [...h.items, ...r.items.filter((x) => !h.items.some((y) => y.id === x.id))],
              nextCursor: r.nextCursor,
              more: 'idle',
            }
          : h,
      );
    } catch (error) {
      setHistory((h) => (h.kind === 'ready' ? { ...h, more: { error } } : h));
    }
  };

  let body: JSX.Element;
  if (history.kind === 'loading') body = <Spinner size="tiny" label={t.loading} />;
  else if (history.kind === 'error')
    body = <ErrorBar error={history.error} onRetry={() => setAttempt((n) => n + 1)} />;
  else if (history.items.length === 0) body = <Caption1 className={s.muted}>{t.historyEmpty}</Caption1>;
  else
    body = (
      <>
        <ul className={s.list}>
          {history.items.map((e) => (
            <HistoryRow
              key={e.id}
              entry={e}
              clientId={card.id}
              clientName={card.displayName}
              canUnlink={mayUnlink(me)}
              onUnlinked={() => {
                bumpHistory(card.id);
                log?.refresh();
              }}
            />
          ))}
        </ul>
        {typeof history.more === 'object' && (
          <ErrorBar error={history.more.error} onRetry={() => void more()} />
        )}
        {history.nextCursor && (
          <Button
            className={s.start}
            appearance="transparent"
            size="small"
            disabled={history.more === 'loading'}
            onClick={() => void more()}
          >
            {history.items.length <= FIRST_PAGE ? t.historyShowAll : t.historyMore}
          </Button>
        )}
      </>
    );
  return <Section title={t.history}>{body}</Section>;
}

import type { CreditNoticeDto, CreditNoticesDto } from '@crm/shared';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  CounterBadge,
  makeStyles,
  mergeClasses,
  Spinner,
  Subtitle2,
  Text,
  Tooltip,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useCallback, useEffect, useRef, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { shortDateTime } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';

// The credit stage owner's notices in the pane: nudges from RMs, SLA at risk / breached, escalations. The
// header button carries the unread count (refreshed when the pane regains focus and every few minutes, from a
// count-only endpoint); the list opens a notice's client card and marks it read.

/** How often the badge asks for the unread count while the pane is open (ms). */
const UNREAD_REFRESH_MS = 3 * 60_000;

/**
 * The unread count for the header badge: loaded at start, when the pane's window regains focus or becomes
 * visible, and every {@link UNREAD_REFRESH_MS}. A failed refresh keeps the last number (the list shows errors).
 */
export function useUnreadNotices(): { count: number; setCount: (n: number) => void; refresh: () => void } {
  const [count, setCount] = useState(0);
  const live = useRef<AbortController | null>(null);
  const refresh = useCallback(() => {
    live.current?.abort();
    const ac = new AbortController();
    live.current = ac;
    crmApi.creditNoticesUnread(ac.signal).then(
      (r) => !ac.signal.aborted && setCount(r.unreadCount),
      () => {},
    );
  }, []);
  useEffect(() => {
    refresh();
    const onVisible = () => document.visibilityState === 'visible' && refresh();
    window.addEventListener('focus', refresh);
    document.addEventListener('visibilitychange', onVisible);
    const timer = window.setInterval(refresh, UNREAD_REFRESH_MS);
    return () => {
      window.removeEventListener('focus', refresh);
      document.removeEventListener('visibilitychange', onVisible);
      window.clearInterval(timer);
      live.current?.abort();
    };
  }, [refresh]);
  return { count, setCount, refresh };
}

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalS,
    minWidth: 0,
  },
  head: { display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  title: { flexGrow: 1 },
  muted: { color: tokens.colorNeutralForeground3 },
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, margin: 0, padding: 0 },
  entry: { listStyleType: 'none' },
  notice: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'stretch',
    gap: tokens.spacingVerticalXXS,
    width: '100%',
    minWidth: 0,
    height: 'auto',
    textAlign: 'start',
    justifyContent: 'flex-start',
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    fontWeight: tokens.fontWeightRegular,
    boxShadow: tokens.shadow2,
  },
  // Unread: a brand bar at the start edge and a stronger client name.
  unread: {
    borderInlineStartWidth: tokens.strokeWidthThickest,
    borderInlineStartStyle: 'solid',
    borderInlineStartColor: tokens.colorBrandStroke1,
  },
  // Read: the same bar width, transparent, so text lines up with the unread entries.
  read: {
    backgroundColor: tokens.colorNeutralBackground2,
    borderInlineStartWidth: tokens.strokeWidthThickest,
    borderInlineStartStyle: 'solid',
    borderInlineStartColor: tokens.colorTransparentStroke,
  },
  line: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalXS,
    minWidth: 0,
  },
  client: { overflowWrap: 'anywhere' },
  message: { overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' },
  time: { marginInlineStart: 'auto', color: tokens.colorNeutralForeground3 },
  empty: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    textAlign: 'center',
    gap: tokens.spacingVerticalS,
    paddingBlock: tokens.spacingVerticalXXL,
    color: tokens.colorNeutralForeground3,
  },
  emptyTitle: { color: tokens.colorNeutralForeground1 },
});

const KIND_COLOR: Record<
  CreditNoticeDto['kind'],
  'brand' | 'warning' | 'danger' | 'important' | 'informative'
> = {
  nudge: 'brand',
  sla_at_risk: 'warning',
  sla_breached: 'danger',
  escalation: 'important',
  assigned: 'informative',
};

/** The header's "Notices" button with the unread count (a Fluent CounterBadge, hidden at zero). */
export function NoticesButton({
  count,
  open,
  onClick,
}: {
  count: number;
  open: boolean;
  onClick: () => void;
}): JSX.Element {
  const { t } = useI18n();
  // Icon and count only: the bar also holds the Team tabs and Settings within ~320 px; the name is the tooltip.
  return (
    <Tooltip content={t.notices} relationship="description">
      <Button
        size="small"
        appearance={open ? 'secondary' : 'subtle'}
        aria-pressed={open}
        aria-label={t.noticesButton(count)}
        data-testid="notices-button"
        onClick={onClick}
        icon={<Icon name="alert" size={16} />}
      >
        {count > 0 && <CounterBadge count={count} size="small" color="danger" overflowCount={99} />}
      </Button>
    </Tooltip>
  );
}

function NoticeEntry({
  notice,
  onOpen,
}: {
  notice: CreditNoticeDto;
  onOpen: (n: CreditNoticeDto) => void;
}): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const unread = notice.readAt === null;
  return (
    <li className={s.entry}>
      <Button
        appearance="transparent"
        className={mergeClasses(s.notice, unread ? s.unread : s.read)}
        data-notice-id={notice.id}
        aria-label={`${unread ? `${t.noticeUnreadMark}. ` : ''}${t.noticeKinds[notice.kind]}. ${t.application(
          notice.applicationNumber,
        )}. ${t.noticeOpen(notice.client.displayName)}`}
        onClick={() => onOpen(notice)}
      >
        <span className={s.line}>
          <Badge size="small" appearance={unread ? 'filled' : 'tint'} color={KIND_COLOR[notice.kind]}>
            {t.noticeKinds[notice.kind]}
          </Badge>
          <Caption1>{t.application(notice.applicationNumber)}</Caption1>
          <Caption1 className={s.time}>{shortDateTime(notice.createdAt, lang)}</Caption1>
        </span>
        <Text weight={unread ? 'semibold' : 'regular'} className={s.client}>
          {notice.client.displayName}
        </Text>
        {notice.stage && <Caption1 className={s.muted}>{t.creditStages[notice.stage]}</Caption1>}
        {(notice.kind === 'sla_at_risk' || notice.kind === 'sla_breached') && notice.stageDueAt && (
          <Caption1>{t.noticeDue(shortDateTime(notice.stageDueAt, lang))}</Caption1>
        )}
        {notice.kind === 'escalation' && notice.stageOwner && (
          <Caption1>{t.noticeOwner(notice.stageOwner.name)}</Caption1>
        )}
        {notice.message && <Body1 className={s.message}>{notice.message}</Body1>}
        {notice.author && <Caption1 className={s.muted}>{t.noticeFrom(notice.author.name)}</Caption1>}
      </Button>
    </li>
  );
}

type Load =
  | { kind: 'loading' }
  | { kind: 'ready'; data: CreditNoticesDto }
  | { kind: 'error'; error: unknown };

/**
 * The notices list, newest first, unread emphasised. Opening one marks it read and hands its client to
 * `onOpenClient`; "Mark all read" clears the count. `onUnread` keeps the header badge in step.
 */
export function NoticesView({
  onOpenClient,
  onUnread,
}: {
  onOpenClient: (target: { clientId: string; displayName: string }) => void;
  onUnread: (count: number) => void;
}): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [markError, setMarkError] = useState<unknown>(null);
  const [marking, setMarking] = useState(false);

  const fetchList = useCallback(
    (signal?: AbortSignal) => {
      setLoad({ kind: 'loading' });
      crmApi.creditNotices(signal).then(
        (data) => {
          if (signal?.aborted) return;
          setLoad({ kind: 'ready', data });
          onUnread(data.unreadCount);
        },
        (error) => !signal?.aborted && setLoad({ kind: 'error', error }),
      );
    },
    [onUnread],
  );
  useEffect(() => {
    const ac = new AbortController();
    fetchList(ac.signal);
    return () => ac.abort();
  }, [fetchList]);

  const markLocally = (ids: Set<string> | 'all', unreadCount: number) => {
    const now = new Date().toISOString();
    setLoad((l) =>
      l.kind === 'ready'
        ? {
            kind: 'ready',
            data: {
              unreadCount,
              items: l.data.items.map((n) =>
                n.readAt === null && (ids === 'all' || ids.has(n.id)) ? { ...n, readAt: now } : n,
              ),
            },
          }
        : l,
    );
    onUnread(unreadCount);
  };

  const open = (n: CreditNoticeDto) => {
    setMarkError(null);
    if (n.readAt === null)
      crmApi.markCreditNoticesRead([n.id]).then(
        (r) => markLocally(new Set([n.id]), r.unreadCount),
        (error) => setMarkError(error),
      );
    onOpenClient({ clientId: n.client.id, displayName: n.client.displayName });
  };

  const markAll = () => {
    setMarkError(null);
    setMarking(true);
    crmApi.markCreditNoticesRead('all').then(
      (r) => {
        setMarking(false);
        markLocally('all', r.unreadCount);
      },
      (error) => {
        setMarking(false);
        setMarkError(error);
      },
    );
  };

  if (load.kind === 'loading')
    return (
      <div className={s.root} aria-busy="true">
        <Spinner size="small" label={t.loading} />
      </div>
    );
  if (load.kind === 'error')
    return (
      <div className={s.root}>
        <ErrorBar error={load.error} title={t.noticesLoadFailed} onRetry={() => fetchList()} />
      </div>
    );
  const { items, unreadCount } = load.data;
  return (
    <section className={s.root} aria-labelledby="notices-title">
      <div className={s.head}>
        <Subtitle2 as="h2" id="notices-title" className={s.title}>
          {t.notices}
        </Subtitle2>
        <Caption1 className={s.muted} aria-live="polite">
          {t.noticesUnread(unreadCount)}
        </Caption1>
        <Button size="small" disabled={unreadCount === 0 || marking} onClick={markAll}>
          {t.noticesMarkAll}
        </Button>
      </div>
      {markError !== null && <ErrorBar intent="warning" title={t.noticesMarkFailed} error={markError} />}
      {items.length === 0 ? (
        <div className={s.empty}>
          <Icon name="mail" size={32} />
          <Subtitle2 as="h3" className={s.emptyTitle}>
            {t.noticesEmpty}
          </Subtitle2>
          <Body1>{t.noticesEmptyHint}</Body1>
        </div>
      ) : (
        <ul className={s.list}>
          {items.map((n) => (
            <NoticeEntry key={n.id} notice={n} onOpen={open} />
          ))}
        </ul>
      )}
    </section>
  );
}

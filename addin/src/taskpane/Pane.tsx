import type { ResolvedParticipantDto } from '@crm/shared';
import {
  Body1,
  Button,
  Caption1,
  makeStyles,
  ProgressBar,
  Spinner,
  Subtitle2,
  Tab,
  TabList,
  tokens,
} from '@fluentui/react-components';
import { type JSX, lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import type { MailHost } from '../office/mail-host.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { CardSkeleton } from './CardSkeleton.tsx';
import { ClientDetail } from './ClientDetail.tsx';
import { ItemlessClient } from './ItemlessClient.tsx';
import { type ItemLog, ItemLogContext, useItemLogState } from './item-log.ts';
import { MailHostContext } from './mail-host-context.ts';
import { NoticesButton, NoticesView, useUnreadNotices } from './NoticesView.tsx';
import { OpenClientContext, type OpenClientTarget } from './open-client.ts';
import { ParticipantSection } from './ParticipantSection.tsx';
import { TeamView } from './TeamView.tsx';
import { type CardScope, CardScopeContext, NO_ITEM_KEY, usePaneView } from './use-pane-view.ts';

// Logging and history are loaded with the first card that shows them (initial bundle budget).
const LoggedBanner = lazy(() => import('./LogToClient.tsx').then((m) => ({ default: m.LoggedBanner })));
const SettingsView = lazy(() => import('./SettingsView.tsx').then((m) => ({ default: m.SettingsView })));

const useStyles = makeStyles({
  pane: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalS,
    minWidth: 0,
  },
  progress: { height: '2px', marginBlock: `calc(-1 * ${tokens.spacingVerticalS})` },
  empty: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    textAlign: 'center',
    gap: tokens.spacingVerticalS,
    paddingBlock: tokens.spacingVerticalXXXL,
    color: tokens.colorNeutralForeground3,
  },
  emptyTitle: { color: tokens.colorNeutralForeground1 },
  back: { alignSelf: 'flex-start' },
  subject: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  bar: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    paddingInline: tokens.spacingHorizontalS,
  },
  barEnd: { marginInlineStart: 'auto' },
});

// Clients first, then what the RM can act on (restricted, unknown), colleagues last.
const RANK: Record<ResolvedParticipantDto['resolution'], number> = {
  client: 0,
  restricted: 1,
  unknown: 2,
  colleague: 3,
};

/**
 * The task pane for whatever item the host has selected. The same component runs inside Outlook and in
 * preview mode; only the `MailHost` differs.
 */
export function Pane({ host }: { host: MailHost }): JSX.Element {
  const { t } = useI18n();
  const [role, setRole] = useState<string | null>(null);
  const [tab, setTab] = useState<'client' | 'team'>('client');
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [noticesOpen, setNoticesOpen] = useState(false);
  const unread = useUnreadNotices();
  // A client card asked for from a notice: the client view opens it (seq: the same client twice is two asks).
  const [openRequest, setOpenRequest] = useState<OpenRequest | null>(null);
  const s = useStyles();
  useEffect(() => {
    let live = true;
    crmApi.me().then(
      (me) => live && setRole(me.role),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);
  const supervisor = role === 'supervisor';
  return (
    <MailHostContext.Provider value={host}>
      <div className={s.bar}>
        {supervisor && !settingsOpen && !noticesOpen && (
          <TabList
            size="small"
            selectedValue={tab}
            onTabSelect={(_, d) => setTab(d.value as 'client' | 'team')}
          >
            <Tab value="client">{t.tabClient}</Tab>
            <Tab value="team">{t.tabTeam}</Tab>
          </TabList>
        )}
        <Button
          className={s.barEnd}
          size="small"
          appearance="subtle"
          icon={<Icon name="settings" />}
          aria-pressed={settingsOpen}
          onClick={() => setSettingsOpen((o) => !o)}
        >
          {t.settings.open}
        </Button>
        <NoticesButton
          count={unread.count}
          open={noticesOpen && !settingsOpen}
          onClick={() => {
            setSettingsOpen(false);
            setNoticesOpen((o) => !o || settingsOpen);
          }}
        />
      </div>
      {/* The client pane stays mounted behind the Team tab and Settings: it keeps following the selected item. */}
      <div hidden={settingsOpen || noticesOpen || (supervisor && tab === 'team')}>
        <ClientPane host={host} openRequest={openRequest} />
      </div>
      {!settingsOpen && !noticesOpen && supervisor && tab === 'team' && <TeamView />}
      {noticesOpen && !settingsOpen && (
        <NoticesView
          onUnread={unread.setCount}
          onOpenClient={(target) => {
            setOpenRequest({ target, seq: Date.now() });
            setNoticesOpen(false);
            setTab('client');
          }}
        />
      )}
      {settingsOpen && (
        <Suspense fallback={<Spinner size="small" label={t.settings.loading} />}>
          <SettingsView onClose={() => setSettingsOpen(false)} />
        </Suspense>
      )}
    </MailHostContext.Provider>
  );
}

type OpenRequest = { target: OpenClientTarget; seq: number };

/** The client cards of the selected item's participants (the pane's "Client" view). */
function ClientPane({ host, openRequest }: { host: MailHost; openRequest: OpenRequest | null }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const { view, reload, patchClient, followError } = usePaneView(host);
  // Clients opened from links, per item: a different item starts from its own participants again. With no
  // item selected, a card opened from a notice stacks under NO_ITEM_KEY (shown without the item's actions).
  const [opened, setOpened] = useState<{ key: string; stack: OpenClientTarget[] }>({ key: '', stack: [] });
  const key =
    view.kind === 'ready' || view.kind === 'loading' ? view.key : view.kind === 'no-item' ? NO_ITEM_KEY : '';
  const stack = opened.key === key ? opened.stack : [];
  const openClient = (target: OpenClientTarget) => setOpened({ key, stack: [...stack, target] });
  // A card asked for from the notices opens on top of the current item's cards (or of no item), once known.
  const handled = useRef(0);
  useEffect(() => {
    if (!openRequest || openRequest.seq === handled.current || !key) return;
    handled.current = openRequest.seq;
    setOpened((o) => ({
      key,
      stack: [...(o.key === key ? o.stack : []), openRequest.target],
    }));
  }, [openRequest, key]);

  const scope = useMemo<CardScope | null>(
    () => (view.kind === 'ready' ? { item: view.item, itemKey: view.key, patchClient, reload } : null),
    [view, patchClient, reload],
  );
  const logItem = view.kind === 'ready' ? view.item : null;
  const [logState, refreshLog] = useItemLogState(host, logItem, key);
  const clientsData = view.kind === 'ready' ? view.data : null;
  const itemLog = useMemo<ItemLog | null>(() => {
    if (!logItem || !clientsData) return null;
    const clients = new Map(
      clientsData.participants.flatMap((p) => p.clients.map((c) => [c.id, c] as const)),
    );
    return { state: logState, refresh: refreshLog, host, item: logItem, clients: [...clients.values()] };
  }, [logItem, clientsData, logState, refreshLog, host]);

  switch (view.kind) {
    case 'starting':
    case 'loading':
      return (
        <div className={s.pane} aria-busy="true">
          <CardSkeleton />
        </div>
      );
    case 'no-item':
      return (
        <div className={s.pane}>
          {stack.length > 0 ? (
            <ItemlessClient
              stack={stack}
              onOpen={openClient}
              onBack={() => setOpened({ key, stack: stack.slice(0, -1) })}
              patchClient={patchClient}
            />
          ) : (
            <div className={s.empty}>
              <Icon name="mail" size={32} />
              <Subtitle2 as="h2" className={s.emptyTitle}>
                {t.selectItem}
              </Subtitle2>
              <Body1>{t.selectItemHint}</Body1>
            </div>
          )}
        </div>
      );
    case 'error':
      return (
        <div className={s.pane}>
          <ErrorBar error={view.error} title={t.loadFailed} onRetry={reload} />
        </div>
      );
  }

  const participants = [...view.data.participants].sort((a, b) => RANK[a.resolution] - RANK[b.resolution]);
  const top = stack.at(-1);
  return (
    <CardScopeContext.Provider value={scope}>
      <ItemLogContext.Provider value={itemLog}>
        <OpenClientContext.Provider value={openClient}>
          <div className={s.pane}>
            {view.revalidating && (
              <ProgressBar className={s.progress} thickness="medium" aria-label={t.refreshing} />
            )}
            {view.refreshError !== null && (
              <ErrorBar intent="warning" error={view.refreshError} onRetry={reload} />
            )}
            {followError !== null && <ErrorBar intent="warning" title={t.notFollowing} error={followError} />}
            {view.item.subject && <Caption1 className={s.subject}>{view.item.subject}</Caption1>}
            <Suspense fallback={null}>
              <LoggedBanner />
            </Suspense>
            {top ? (
              <>
                <Button
                  className={s.back}
                  size="small"
                  appearance="subtle"
                  icon={<Icon name="back" />}
                  onClick={() => setOpened({ key, stack: stack.slice(0, -1) })}
                >
                  {t.back}
                </Button>
                <ClientDetail key={top.clientId} target={top} />
              </>
            ) : participants.length === 0 ? (
              <Body1>{t.noParticipants}</Body1>
            ) : (
              participants.map((p) => (
                <ParticipantSection key={`${p.emailAddress}|${p.roles.join()}`} p={p} />
              ))
            )}
          </div>
        </OpenClientContext.Provider>
      </ItemLogContext.Provider>
    </CardScopeContext.Provider>
  );
}

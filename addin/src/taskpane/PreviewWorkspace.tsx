import type { DemoInboxDto, DemoItemDto } from '@crm/shared';
import {
  Body1Strong,
  Button,
  Caption1,
  Link,
  makeStyles,
  mergeClasses,
  Spinner,
  Subtitle2,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useEffect, useMemo, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import type { ThemeKind } from '../office/mail-host.ts';
import { createPreviewHost, type PreviewHost } from '../office/preview-host.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { shortDateTime } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { Pane } from './Pane.tsx';

const useStyles = makeStyles({
  // Out of sight until focused: the first Tab stop, for keyboard users to jump past the inbox.
  skip: {
    position: 'absolute',
    left: '-10000px',
    ':focus': { position: 'static', left: 'auto' },
  },
  layout: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: tokens.spacingHorizontalL,
    padding: tokens.spacingHorizontalM,
    '@media (max-width: 720px)': { flexDirection: 'column', alignItems: 'stretch' },
  },
  inbox: {
    flex: '1 1 0',
    minWidth: 0,
    maxWidth: '640px',
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    '@media (max-width: 720px)': { maxWidth: 'none' },
  },
  list: { display: 'flex', flexDirection: 'column', margin: 0, padding: 0, listStyle: 'none' },
  item: {
    width: '100%',
    display: 'grid',
    gridTemplateColumns: '20px 1fr auto',
    columnGap: tokens.spacingHorizontalS,
    justifyItems: 'start',
    textAlign: 'start',
    fontWeight: tokens.fontWeightRegular,
    paddingBlock: tokens.spacingVerticalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
    borderRadius: 0,
  },
  selected: {
    backgroundColor: tokens.colorSubtleBackgroundSelected,
    boxShadow: `inset ${tokens.strokeWidthThicker} 0 0 ${tokens.colorBrandStroke1}`,
  },
  icon: { marginTop: '2px', color: tokens.colorNeutralForeground3 },
  text: { display: 'flex', flexDirection: 'column', minWidth: 0, width: '100%' },
  ellipsis: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', maxWidth: '100%' },
  muted: { color: tokens.colorNeutralForeground3 },
  pane: {
    width: '320px',
    flexShrink: 0,
    minHeight: '480px',
    position: 'sticky',
    top: tokens.spacingVerticalM,
    maxHeight: `calc(100vh - 2 * ${tokens.spacingVerticalM})`,
    overflowY: 'auto',
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground2,
    outline: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    '@media (max-width: 720px)': { width: 'auto', position: 'static', maxHeight: 'none' },
  },
});

/** Who an inbox row is from: the sender, or for a meeting its attendees; Sent Items may have no sender. */
function fromLine(item: DemoItemDto, noSender: string): string {
  if (item.itemType === 'appointment') {
    return [...item.requiredAttendees, ...item.optionalAttendees].map((a) => a.displayName).join(', ');
  }
  if (item.from?.displayName || item.from?.emailAddress)
    return item.from.displayName || item.from.emailAddress;
  return item.to.map((a) => a.displayName).join(', ') || noSender;
}

function Inbox({ inbox, host }: { inbox: DemoInboxDto; host: PreviewHost }): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const [selected, setSelected] = useState<string | null>(host.selectedId());
  return (
    <nav className={s.inbox} aria-label={t.demoInbox}>
      <Subtitle2 as="h2">{t.demoInbox}</Subtitle2>
      <Link className={s.skip} href="#client-pane">
        {t.skipToPane}
      </Link>
      {/* Up/Down move through the letters and open them, as in Outlook's message list. */}
      <ul
        className={s.list}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
          const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('li > button')];
          const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
          const next =
            buttons[Math.max(0, Math.min(buttons.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))];
          if (next && next !== document.activeElement) {
            e.preventDefault();
            next.focus();
            next.click();
          }
        }}
      >
        {inbox.items.map((item) => (
          <li key={item.id}>
            <Button
              appearance="subtle"
              className={mergeClasses(s.item, selected === item.id && s.selected)}
              aria-pressed={selected === item.id}
              onClick={() => {
                setSelected(item.id);
                host.selectItem(item);
              }}
            >
              <Icon name={item.itemType === 'appointment' ? 'calendar' : 'mail'} className={s.icon} />
              <span className={s.text}>
                <Body1Strong className={s.ellipsis}>{item.subject}</Body1Strong>
                <Caption1 className={s.ellipsis}>
                  {item.itemType === 'appointment' ? `${t.meeting}: ` : ''}
                  {fromLine(item, t.noSender)}
                </Caption1>
                <Caption1 className={mergeClasses(s.ellipsis, s.muted)}>{item.bodyPreview}</Caption1>
              </span>
              <Caption1 className={s.muted}>{shortDateTime(item.dateTimeCreated, lang)}</Caption1>
            </Button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

type Load = { kind: 'loading' } | { kind: 'ready'; inbox: DemoInboxDto } | { kind: 'error'; error: unknown };

/**
 * Preview mode outside Office: the demo inbox (GET /dev/inbox) beside the real pane. Selecting an item
 * goes through the preview `MailHost`, exactly as Outlook's ItemChanged would.
 */
export default function PreviewWorkspace({ lang, theme }: { lang: string; theme: ThemeKind }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt is the explicit retry trigger
  useEffect(() => {
    let live = true;
    setLoad({ kind: 'loading' });
    crmApi.devInbox().then(
      (inbox) => live && setLoad({ kind: 'ready', inbox }),
      (error) => live && setLoad({ kind: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  const mailbox = load.kind === 'ready' ? load.inbox.mailbox : null;
  // One host per signed-in mailbox; language and theme are read by the pane from React context instead.
  // biome-ignore lint/correctness/useExhaustiveDependencies: created once per mailbox on purpose
  const host = useMemo(
    () => (mailbox ? createPreviewHost({ mailbox, displayLanguage: lang, theme }) : null),
    [mailbox],
  );

  if (load.kind === 'loading') return <Spinner className={s.layout} size="small" label={t.loading} />;
  if (load.kind === 'error')
    return (
      <div className={s.layout}>
        <ErrorBar error={load.error} onRetry={() => setAttempt((n) => n + 1)} />
      </div>
    );
  return (
    <div className={s.layout}>
      {host && <Inbox inbox={load.inbox} host={host} />}
      <div className={s.pane} id="client-pane" tabIndex={-1}>
        {host && <Pane host={host} />}
      </div>
    </div>
  );
}

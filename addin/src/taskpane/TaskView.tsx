import type { TaskLinkDto } from '@crm/shared';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Spinner,
  Subtitle2,
  Text,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { type JSX, type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/api-error.ts';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { shortDate, shortDateTime } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { CalendarSyncBadge } from './CalendarSyncBadge.tsx';
import { ItemlessClient } from './ItemlessClient.tsx';
import type { OpenClientTarget } from './open-client.ts';
import { useTaskNames } from './task-catalog.ts';

// A task opened from its link (`/?task=<id>`: the calendar event's body, the iCalendar feed's URL): what it
// is, when, whose, its calendar state, its client (the card opens here, without a selected email) and the
// credit stage it follows.

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalS,
    maxWidth: '560px',
    marginInline: 'auto',
    minWidth: 0,
  },
  close: { alignSelf: 'flex-start' },
  card: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow4,
  },
  header: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-start' },
  kind: {
    flexShrink: 0,
    display: 'grid',
    placeItems: 'center',
    width: '32px',
    height: '32px',
    borderRadius: tokens.borderRadiusCircular,
    color: tokens.colorBrandForeground1,
    backgroundColor: tokens.colorBrandBackground2,
  },
  titleBlock: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  title: { margin: 0, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { ...typographyStyles.caption1, color: tokens.colorNeutralForeground3, alignSelf: 'center' },
  value: { ...typographyStyles.body1, margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
  client: { maxWidth: '100%', justifyContent: 'flex-start', textAlign: 'start' },
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
});

const STATUS_COLOR = {
  open: 'brand',
  in_progress: 'informative',
  done: 'success',
  cancelled: 'subtle',
} as const;

const PRIORITY_COLOR = { low: 'subtle', normal: 'informative', high: 'warning', urgent: 'danger' } as const;

/** Task ids are UUIDs: anything else cannot be one of the user's tasks (no request for it). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Load =
  | { kind: 'empty' }
  | { kind: 'loading' }
  | { kind: 'ready'; data: TaskLinkDto }
  | { kind: 'not-found' }
  | { kind: 'error'; error: unknown };

const isAbort = (err: unknown) => err instanceof DOMException && err.name === 'AbortError';

function Fact({ term, children }: { term: string; children: ReactNode }): JSX.Element {
  const s = useStyles();
  return (
    <>
      <dt className={s.term}>{term}</dt>
      <dd className={s.value}>{children}</dd>
    </>
  );
}

/** The task of a `?task=<id>` link; `onClose` drops the link and shows the pane as usual. */
export function TaskView({ taskId, onClose }: { taskId: string; onClose: () => void }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const id = taskId.trim();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [nonce, setNonce] = useState(0);
  // The client's card (and clients opened from it), on top of the task; Back returns to the task.
  const [stack, setStack] = useState<OpenClientTarget[]>([]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: nonce is the explicit retry trigger
  useEffect(() => {
    if (!id) {
      setLoad({ kind: 'empty' });
      return;
    }
    if (!UUID.test(id)) {
      setLoad({ kind: 'not-found' });
      return;
    }
    const ac = new AbortController();
    setLoad({ kind: 'loading' });
    crmApi.task(id, ac.signal).then(
      (data) => setLoad({ kind: 'ready', data }),
      (error) => {
        if (isAbort(error)) return;
        const missing = error instanceof ApiError && (error.status === 404 || error.code === 'NOT_FOUND');
        setLoad(missing ? { kind: 'not-found' } : { kind: 'error', error });
      },
    );
    return () => ac.abort();
  }, [id, nonce]);
  const retry = useCallback(() => setNonce((n) => n + 1), []);

  const close = (
    <Button
      className={s.close}
      size="small"
      appearance="subtle"
      icon={<Icon name="back" />}
      onClick={onClose}
    >
      {t.taskLink.close}
    </Button>
  );

  if (load.kind === 'ready' && stack.length > 0)
    return (
      <div className={s.root}>
        <ItemlessClient
          stack={stack}
          onOpen={(target) => setStack((st) => [...st, target])}
          onBack={() => setStack((st) => st.slice(0, -1))}
          backLabel={stack.length === 1 ? t.taskLink.backToTask : t.back}
        />
      </div>
    );

  let body: JSX.Element;
  switch (load.kind) {
    case 'loading':
      body = (
        <div aria-busy="true">
          <Spinner size="small" label={t.taskLink.loading} />
        </div>
      );
      break;
    case 'empty':
      body = (
        <div className={s.empty}>
          <Icon name="calendar" size={32} />
          <Subtitle2 as="h2" className={s.emptyTitle}>
            {t.taskLink.empty}
          </Subtitle2>
          <Body1>{t.taskLink.emptyHint}</Body1>
        </div>
      );
      break;
    case 'not-found':
      body = (
        <MessageBar intent="warning" layout="multiline" data-testid="task-not-found">
          <MessageBarBody>
            <MessageBarTitle>{t.taskLink.notFound}</MessageBarTitle>
            {t.taskLink.notFoundHint}
          </MessageBarBody>
        </MessageBar>
      );
      break;
    case 'error':
      body = <ErrorBar error={load.error} title={t.taskLink.loadFailed} onRetry={retry} />;
      break;
    case 'ready':
      body = <TaskDetails data={load.data} onOpenClient={(c) => setStack([c])} />;
      break;
  }
  return (
    <div className={s.root}>
      {close}
      {body}
    </div>
  );
}

function TaskDetails({
  data,
  onOpenClient,
}: {
  data: TaskLinkDto;
  onOpenClient: (target: OpenClientTarget) => void;
}): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const names = useTaskNames();
  const { task, client, credit } = data;
  const planned = task.plannedStartAt
    ? task.allDay
      ? t.taskLink.allDay(shortDate(task.plannedStartAt, lang))
      : `${shortDateTime(task.plannedStartAt, lang)}${
          task.plannedDurationMinutes ? ` · ${t.taskLink.minutes(task.plannedDurationMinutes)}` : ''
        }`
    : t.taskLink.notSet;
  return (
    <article className={s.card} aria-labelledby="task-link-title" data-testid="task-view">
      <div className={s.header}>
        <span className={s.kind} aria-hidden="true">
          <Icon name="calendar" size={20} />
        </span>
        <div className={s.titleBlock}>
          <Caption1 className={s.muted}>{t.taskLink.title}</Caption1>
          <Text as="h2" id="task-link-title" size={400} weight="semibold" className={s.title}>
            {task.title}
          </Text>
        </div>
      </div>
      <dl className={s.facts}>
        <Fact term={t.taskLink.type}>{names.typeName(task.type)}</Fact>
        <Fact term={t.taskLink.status}>
          <Badge appearance="filled" color={STATUS_COLOR[task.status]}>
            {t.taskLink.statuses[task.status]}
          </Badge>
        </Fact>
        <Fact term={t.taskLink.priority}>
          <Badge appearance="tint" color={PRIORITY_COLOR[task.priority]}>
            {names.priorityName(task.priority)}
          </Badge>
        </Fact>
        <Fact term={t.taskLink.planned}>{planned}</Fact>
        <Fact term={t.taskLink.due}>{task.dueAt ? shortDateTime(task.dueAt, lang) : t.taskLink.notSet}</Fact>
        <Fact term={t.taskLink.assignee}>{task.assignee.name}</Fact>
        <Fact term={t.taskLink.calendar}>
          {task.calendarSync ? (
            <CalendarSyncBadge sync={task.calendarSync} />
          ) : (
            <span className={s.muted}>{t.taskLink.noCalendar}</span>
          )}
        </Fact>
        <Fact term={t.taskLink.client}>
          {client ? (
            <Button
              className={s.client}
              size="small"
              appearance="secondary"
              icon={<Icon name="person" />}
              aria-label={t.taskLink.openClient(client.displayName)}
              onClick={() => onOpenClient({ clientId: client.id, displayName: client.displayName })}
            >
              {client.displayName}
            </Button>
          ) : (
            <span className={s.muted}>{t.taskLink.noClient}</span>
          )}
        </Fact>
        {credit && (
          <Fact term={t.taskLink.credit}>
            {t.application(credit.number)} · {t.creditStages[credit.stage]}
            {credit.completed && <span className={s.muted}> ({t.taskLink.stageDone})</span>}
          </Fact>
        )}
      </dl>
    </article>
  );
}

import type { TaskDto, TeamViewDto } from '@crm/shared';
import {
  Badge,
  Body1,
  Caption1,
  Caption1Strong,
  makeStyles,
  mergeClasses,
  Spinner,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useCallback, useEffect, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { shortDateTime } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { AddToCalendarButton, CalendarSyncBadge } from './CalendarSyncBadge.tsx';
import { useTaskNames } from './task-catalog.ts';
import { useNow } from './use-now.ts';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalM,
  },
  member: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow2,
  },
  line: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  row: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: tokens.spacingHorizontalS,
    paddingBlock: tokens.spacingVerticalXXS,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
  },
  text: { display: 'flex', flexDirection: 'column', flexGrow: 1, minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  late: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
});

function TeamTask({ task, now }: { task: TaskDto; now: number }): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const names = useTaskNames();
  const late = task.dueAt !== null && Date.parse(task.dueAt) < now;
  return (
    <div className={s.row} data-task-id={task.id}>
      <div className={s.text}>
        <Body1>{task.title}</Body1>
        <div className={s.line}>
          <Caption1 className={mergeClasses(s.muted, late && s.late)}>
            {names.typeName(task.type)} · {task.dueAt ? t.due(shortDateTime(task.dueAt, lang)) : t.noDue}
          </Caption1>
          {late && (
            <Badge size="small" appearance="filled" color="danger">
              {t.overdue}
            </Badge>
          )}
          <CalendarSyncBadge sync={task.calendarSync} />
        </div>
      </div>
      <AddToCalendarButton task={task} />
    </div>
  );
}

/**
 * The supervisor's "Team" view: each member's open tasks (overdue first, as the API orders them), open and
 * overdue counts, effort planned vs done, and whether their Outlook calendar can be synced.
 */
export function TeamView(): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const now = useNow();
  const [state, setState] = useState<
    { kind: 'loading' } | { kind: 'ready'; data: TeamViewDto } | { kind: 'error'; error: unknown }
  >({ kind: 'loading' });
  const load = useCallback((signal?: AbortSignal) => {
    setState({ kind: 'loading' });
    crmApi.team(signal).then(
      (data) => !signal?.aborted && setState({ kind: 'ready', data }),
      (error) => !signal?.aborted && setState({ kind: 'error', error }),
    );
  }, []);
  useEffect(() => {
    const ac = new AbortController();
    load(ac.signal);
    return () => ac.abort();
  }, [load]);

  if (state.kind === 'loading')
    return (
      <div className={s.root} aria-busy="true">
        <Spinner size="small" label={t.loading} />
      </div>
    );
  if (state.kind === 'error')
    return (
      <div className={s.root}>
        <ErrorBar error={state.error} title={t.teamLoadFailed} onRetry={() => load()} />
      </div>
    );
  const { members } = state.data;
  return (
    <div className={s.root}>
      {members.length === 0 && <Caption1 className={s.muted}>{t.teamNoMembers}</Caption1>}
      {members.map((m) => (
        <section key={m.user.id} className={s.member} aria-label={m.user.name}>
          <Caption1Strong as="h3">{m.user.name}</Caption1Strong>
          <div className={s.line}>
            <Badge size="small" appearance="tint" color="brand">
              {t.teamOpen(m.openTasks)}
            </Badge>
            {m.overdueTasks > 0 && (
              <Badge size="small" appearance="filled" color="danger">
                {t.teamOverdue(m.overdueTasks)}
              </Badge>
            )}
            {m.calendarNotSyncableReason && (
              <CalendarSyncBadge
                sync={{ state: 'not_syncable', syncedAt: null, reason: m.calendarNotSyncableReason }}
              />
            )}
          </div>
          <Caption1 className={s.muted}>
            {t.teamEffort(t.hoursMinutes(m.effortPlannedMinutes), t.hoursMinutes(m.effortDoneMinutes))}
          </Caption1>
          {m.tasks.map((task) => (
            <TeamTask key={task.id} task={task} now={now} />
          ))}
        </section>
      ))}
    </div>
  );
}

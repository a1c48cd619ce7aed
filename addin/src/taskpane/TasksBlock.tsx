import type { ClientCardDto, TaskDto } from '@crm/shared';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useState } from 'react';
import { ApiError } from '../api/api-error.ts';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { shortDateTime } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { Section, ShortList } from '../ui/layout.tsx';
import { AddTaskForm } from './AddTaskForm.tsx';
import { AddToCalendarButton, CalendarSyncBadge } from './CalendarSyncBadge.tsx';
import { useTaskNames } from './task-catalog.ts';
import { useNow } from './use-now.ts';
import { useCardScope } from './use-pane-view.ts';

const useStyles = makeStyles({
  row: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: tokens.spacingHorizontalS,
    paddingBlock: tokens.spacingVerticalXS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
  },
  text: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    flexGrow: 1,
    minWidth: 0,
  },
  meta: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  muted: { color: tokens.colorNeutralForeground3 },
  late: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  done: { flexShrink: 0 },
});

type Notice = { kind: 'done' } | { kind: 'conflict' } | { kind: 'error'; error: unknown } | null;

const byDue = (a: TaskDto, b: TaskDto) =>
  (a.dueAt ? Date.parse(a.dueAt) : Number.POSITIVE_INFINITY) -
  (b.dueAt ? Date.parse(b.dueAt) : Number.POSITIVE_INFINITY);

function TaskRow({
  task,
  now,
  busy,
  onDone,
}: {
  task: TaskDto;
  now: number;
  busy: boolean;
  onDone: () => void;
}): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const names = useTaskNames();
  const late = task.dueAt !== null && Date.parse(task.dueAt) < now;
  return (
    <div className={s.row}>
      <div className={s.text}>
        <Body1>{task.title}</Body1>
        <div className={s.meta}>
          <Caption1 className={mergeClasses(s.muted, late && s.late)}>
            {names.typeName(task.type)} · {task.dueAt ? t.due(shortDateTime(task.dueAt, lang)) : t.noDue}
          </Caption1>
          {late && (
            <Badge size="small" appearance="filled" color="danger">
              {t.overdue}
            </Badge>
          )}
          {(task.priority === 'high' || task.priority === 'urgent') && (
            <Badge size="small" appearance="tint" color={task.priority === 'urgent' ? 'danger' : 'warning'}>
              {names.priorityName(task.priority)}
            </Badge>
          )}
          <CalendarSyncBadge sync={task.calendarSync} />
        </div>
        {/* A credit stage's task closes with its stage (the server refuses it alone: 409 STAGE_TASK). */}
        {task.creditStage && (
          <Caption1 className={s.muted}>
            {t.stageTask(t.creditStages[task.creditStage.stage], task.creditStage.number)}
          </Caption1>
        )}
      </div>
      <AddToCalendarButton task={task} />
      {!task.creditStage && (
        <Button
          className={s.done}
          size="small"
          icon={<Icon name="checkmark" />}
          disabled={busy}
          aria-label={t.markDone(task.title)}
          onClick={onDone}
        >
          {t.done}
        </Button>
      )}
    </div>
  );
}

/** Open tasks of the client (due, overdue marked, "Done") and the "Add task" form. */
export function TasksBlock({ card }: { card: ClientCardDto }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const scope = useCardScope();
  const now = useNow();
  const [busyId, setBusyId] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);

  const complete = async (task: TaskDto) => {
    setBusyId(task.id);
    setNotice(null);
    try {
      await crmApi.updateTask(task.id, { version: task.version, status: 'done' });
      scope.patchClient(card.id, (c) => ({ ...c, tasks: c.tasks.filter((x) => x.id !== task.id) }));
      setNotice({ kind: 'done' });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'VERSION_CONFLICT') {
        setNotice({ kind: 'conflict' });
        scope.reload();
      } else {
        setNotice({ kind: 'error', error });
      }
    } finally {
      setBusyId(null);
    }
  };

  const tasks = [...card.tasks].sort(byDue);
  return (
    <Section title={t.tasks}>
      {notice?.kind === 'conflict' && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>{t.conflict}</MessageBarBody>
          <MessageBarActions>
            <Button size="small" onClick={() => setNotice(null)}>
              OK
            </Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {notice?.kind === 'done' && (
        <MessageBar intent="success">
          <MessageBarBody>{t.taskDone}</MessageBarBody>
        </MessageBar>
      )}
      {notice?.kind === 'error' && <ErrorBar error={notice.error} />}
      {tasks.length === 0 ? (
        <Caption1 className={s.muted}>{t.noTasks}</Caption1>
      ) : (
        <ShortList
          items={tasks}
          truncated={card.truncated.includes('tasks')}
          keyOf={(x) => x.id}
          render={(x) => (
            <TaskRow task={x} now={now} busy={busyId === x.id} onDone={() => void complete(x)} />
          )}
        />
      )}
      {scope.item ? (
        <AddTaskForm key={`${scope.itemKey}|${card.id}`} card={card} item={scope.item} />
      ) : (
        <Caption1 className={s.muted}>{t.addTaskNeedsItem}</Caption1>
      )}
    </Section>
  );
}

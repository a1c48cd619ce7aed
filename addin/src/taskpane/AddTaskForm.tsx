import {
  type ClientCardDto,
  type CreateTaskRequestDto,
  TASK_PRIORITIES,
  TASK_TYPES,
  type TaskDto,
} from '@crm/shared';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Select,
  Spinner,
  tokens,
} from '@fluentui/react-components';
import { type FormEvent, type JSX, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import type { MailItemContext } from '../office/mail-host.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { toDateInput } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { usePaneFormStyles } from './pane-form-styles.ts';
import { draftKey, type TaskDraft, taskDrafts } from './session-store.ts';
import { loadTaskCatalog, priorityName, taskTypeName, useTaskCatalog } from './task-catalog.ts';
import { useCardScope } from './use-pane-view.ts';

const useStyles = makeStyles({
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  open: { alignSelf: 'flex-start' },
});

/**
 * Due date of a new task: the chosen day at 18:00 local time (end of the working day); `invalid` for a day
 * that is not a real date, is before today, or is past 2099 (a typo such as year 275760 or 0001).
 */
function dueAtOf(day: string): string | undefined | 'invalid' {
  if (!day) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return 'invalid';
  const due = new Date(`${day}T18:00:00`);
  if (Number.isNaN(due.getTime()) || due.getFullYear() > 2099) return 'invalid';
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  if (due < today) return 'invalid';
  return due.toISOString();
}

/** Planned minutes typed in the form: undefined when empty, 'invalid' outside 1..20160 (14 days). */
function durationOf(text: string): number | undefined | 'invalid' {
  const v = text.trim();
  if (!v) return undefined;
  if (!/^\d{1,5}$/.test(v)) return 'invalid';
  const n = Number(v);
  return n >= 1 && n <= 20160 ? n : 'invalid';
}

/**
 * "Add task" (only with an item): prefilled with the item's subject, linked to the client and the item's internetMessageId.
 * The draft lives in the session store keyed by item + client, so switching items in a pinned pane and
 * coming back finds it as it was left.
 */
export function AddTaskForm({ card, item }: { card: ClientCardDto; item: MailItemContext }): JSX.Element {
  const s = useStyles();
  const f = usePaneFormStyles();
  const { t, lang } = useI18n();
  const catalog = useTaskCatalog();
  const scope = useCardScope();
  const key = draftKey(scope.itemKey, card.id);
  const fresh = (): TaskDraft => ({
    open: false,
    title: item.subject.trim().slice(0, 255),
    type: item.itemType === 'appointment' ? 'meeting' : 'follow_up',
    priority: 'normal',
    due: toDateInput(new Date(Date.now() + 24 * 3600_000)),
    requestKey: crypto.randomUUID(),
  });
  const [draft, setDraftState] = useState<TaskDraft>(() => taskDrafts.get(key) ?? fresh());
  // The configured active types; while they load, or when they cannot be loaded, the built-in six.
  const types =
    catalog.kind === 'ready'
      ? catalog.catalog.taskTypes
      : TASK_TYPES.map((code) => ({ code, defaultDurationMinutes: null as number | null }));
  // A draft whose type was deactivated meanwhile falls back to the first active one.
  const type = types.some((x) => x.code === draft.type) ? draft.type : (types[0]?.code ?? draft.type);
  const typeDefault = types.find((x) => x.code === type)?.defaultDurationMinutes ?? null;
  const durationText = draft.duration ?? (typeDefault === null ? '' : String(typeDefault));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<TaskDto | null>(null);
  const [touched, setTouched] = useState(false);

  const update = (patch: Partial<TaskDraft>) =>
    setDraftState((d) => {
      const next = { ...d, ...patch };
      taskDrafts.set(key, next);
      return next;
    });

  const reset = () => {
    taskDrafts.delete(key);
    setDraftState(fresh());
    setTouched(false);
    setError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!draft.title.trim() || dueAtOf(draft.due) === 'invalid' || durationOf(durationText) === 'invalid')
      return;
    setSaving(true);
    setError(null);
    const body: CreateTaskRequestDto = {
      title: draft.title.trim(),
      type,
      priority: draft.priority,
      clientId: card.id,
      internetMessageId: item.internetMessageId,
    };
    const dueAt = dueAtOf(draft.due);
    if (dueAt && dueAt !== 'invalid') body.dueAt = dueAt;
    const minutes = durationOf(durationText);
    if (minutes !== undefined && minutes !== 'invalid') body.plannedDurationMinutes = minutes;
    try {
      const task = await crmApi.createTask(body, draft.requestKey ?? crypto.randomUUID());
      scope.patchClient(card.id, (c) => ({
        ...c,
        tasks: [...c.tasks.filter((x) => x.id !== task.id), task],
      }));
      reset();
      setCreated(task);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  if (!draft.open) {
    return (
      <>
        {created && (
          <MessageBar intent="success">
            <MessageBarBody>{t.taskCreated}</MessageBarBody>
          </MessageBar>
        )}
        <Button
          className={s.open}
          size="small"
          appearance="secondary"
          icon={<Icon name="add" />}
          onClick={() => {
            setCreated(null);
            update({ open: true });
          }}
        >
          {t.addTask}
        </Button>
      </>
    );
  }

  const titleMissing = touched && !draft.title.trim();
  const durationInvalid = touched && durationOf(durationText) === 'invalid';
  const dueInvalid = touched && dueAtOf(draft.due) === 'invalid';
  return (
    <form className={f.form} onSubmit={submit} aria-label={t.addTask} noValidate>
      <Field label={t.taskTitle} required validationMessage={titleMissing ? t.titleRequired : undefined}>
        <Input value={draft.title} maxLength={255} onChange={(_, d) => update({ title: d.value })} />
      </Field>
      <div className={f.pair}>
        <Field
          label={t.taskType}
          validationState={catalog.kind === 'error' ? 'warning' : 'none'}
          validationMessage={
            catalog.kind === 'error' ? (
              <>
                {t.taskTypesUnavailable}{' '}
                <Button size="small" appearance="transparent" onClick={() => void loadTaskCatalog(true)}>
                  {t.retry}
                </Button>
              </>
            ) : undefined
          }
        >
          <Select
            className={f.fill}
            value={type}
            // A new type brings its default duration unless the RM typed one.
            onChange={(_, d) => update({ type: d.value, duration: undefined })}
          >
            {types.map((x) => (
              <option key={x.code} value={x.code}>
                {taskTypeName(x.code, lang, t, catalog)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t.taskPriority}>
          <Select
            className={f.fill}
            value={draft.priority}
            onChange={(_, d) => update({ priority: d.value as TaskDraft['priority'] })}
          >
            {TASK_PRIORITIES.map((x) => (
              <option key={x} value={x}>
                {priorityName(x, lang, t, catalog)}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <div className={f.pair}>
        <Field label={t.taskDue} validationMessage={dueInvalid ? t.dueInvalid : undefined}>
          <Input
            className={f.fill}
            type="date"
            value={draft.due}
            min={toDateInput(new Date())}
            max="2099-12-31"
            onChange={(_, d) => update({ due: d.value })}
          />
        </Field>
        <Field label={t.taskDuration} validationMessage={durationInvalid ? t.durationInvalid : undefined}>
          <Input
            className={f.fill}
            inputMode="numeric"
            value={durationText}
            contentAfter={t.minutesShort}
            onChange={(_, d) => update({ duration: d.value })}
          />
        </Field>
      </div>
      {catalog.kind === 'loading' && <Spinner size="tiny" label={t.taskTypesLoading} />}
      {error !== null && <ErrorBar error={error} />}
      <div className={s.actions}>
        <Button type="submit" appearance="primary" size="small" disabled={saving}>
          {t.createTask}
        </Button>
        <Button type="button" size="small" onClick={reset} disabled={saving}>
          {t.cancel}
        </Button>
        {saving && <Spinner size="tiny" />}
      </div>
    </form>
  );
}

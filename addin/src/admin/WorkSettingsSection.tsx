import type {
  BranchDto,
  BranchWorkingHoursDto,
  TaskPrioritySettingDto,
  TaskTypeSettingDto,
} from '@crm/shared';
import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  Dropdown,
  Field,
  FieldContextProvider,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  mergeClasses,
  Option,
  Spinner,
  Subtitle2,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from '@fluentui/react-components';
import { type JSX, type ReactNode, useCallback, useEffect, useId, useMemo, useState } from 'react';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { adminApi } from './admin-api.ts';
import { type AdminDict, useAdminText } from './admin-i18n.ts';
import { adminStyles } from './admin-styles.ts';
import {
  ChoiceField,
  FormError,
  fieldError,
  openOnRowClick,
  useRevealOnOpen,
  useUnsavedChanges,
} from './form.tsx';

// "Work settings": task types (names, default duration and reminder, Outlook category, on/off), priority
// names and Outlook importance, and per branch the working days, hours and time zone the credit SLA counts in.

const useStyles = makeStyles({
  layout: adminStyles.layout,
  lists: adminStyles.lists,
  block: adminStyles.block,
  blockHead: adminStyles.head,
  table: adminStyles.table,
  scroll: adminStyles.scroll,
  selected: adminStyles.selected,
  panel: { ...adminStyles.panel, minWidth: 0 },
  card: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
  },
  form: adminStyles.form,
  pair: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  grow: { flexGrow: 1, flexBasis: '140px', minWidth: 0 },
  fill: { width: '100%', minWidth: 0 },
  days: {
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalXS,
    margin: 0,
    padding: 0,
    border: 'none',
    minWidth: 0,
  },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS },
  muted: adminStyles.muted,
  nameCell: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', paddingBlock: '2px' },
  wide: { width: '32%' },
  clickableRow: adminStyles.clickableRow,
  nameButton: adminStyles.nameButton,
});

/** IANA zone names the browser knows, for the time-zone picker (the server checks again). */
const TIME_ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf: (k: string) => string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['Europe/Moscow'];
  }
})();

type Editing =
  | { kind: 'none' }
  | { kind: 'type'; record: TaskTypeSettingDto | null }
  | { kind: 'priority'; record: TaskPrioritySettingDto };

type Loaded = { types: TaskTypeSettingDto[]; priorities: TaskPrioritySettingDto[]; branches: BranchDto[] };

/** Minutes typed in a form: null when empty, NaN when not whole minutes within [min, 20160]. */
function minutesOf(text: string, min: number): number | null {
  const v = text.trim();
  if (!v) return null;
  const n = /^\d{1,5}$/.test(v) ? Number(v) : Number.NaN;
  return n >= min && n <= 20160 ? n : Number.NaN;
}

/** The Work settings section: lists on the left, the open record's form on the right. */
export default function WorkSettingsSection(): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const [types, priorities, org] = await Promise.all([
        adminApi.taskTypes(),
        adminApi.taskPriorities(),
        adminApi.organisation(),
      ]);
      const next = { types: types.items, priorities: priorities.items, branches: org.branches };
      setData(next);
      return next;
    } catch (err) {
      setError(err);
      return null;
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const saved = async (kind: 'type' | 'priority', code: string, message = t.saved) => {
    const d = await load();
    if (!d) return;
    setNotice(message || null);
    if (kind === 'type') setEditing({ kind, record: d.types.find((x) => x.code === code) ?? null });
    const p = d.priorities.find((x) => x.code === code);
    if (kind === 'priority' && p) setEditing({ kind, record: p });
  };
  const open = (e: Editing) => {
    setNotice(null);
    setEditing(e);
  };

  const panelRef = useRevealOnOpen<HTMLElement>(
    editing.kind === 'none' ? null : `${editing.kind}:${editing.record?.code ?? 'new'}`,
  );

  if (!data)
    return error !== null ? <ErrorBar error={error} onRetry={() => void load()} /> : <Spinner size="small" />;

  const nameButton = (label: string, onClick: () => void) => (
    <Button
      className={s.nameButton}
      appearance="transparent"
      size="small"
      aria-label={`${t.edit}: ${label}`}
      onClick={onClick}
    >
      {label}
    </Button>
  );
  const minutes = (n: number | null) => (n === null ? t.none : t.wsMinutes(n));
  const isOpen = (kind: Editing['kind'], code: string) =>
    editing.kind === kind && (editing as { record: { code: string } | null }).record?.code === code;

  return (
    <div className={s.layout}>
      <div className={s.lists}>
        {error !== null && <ErrorBar error={error} onRetry={() => void load()} />}
        <section className={s.block} aria-label={t.wsTaskTypes}>
          <div className={s.blockHead}>
            <Subtitle2 as="h3">{t.wsTaskTypes}</Subtitle2>
            <Button size="small" onClick={() => open({ kind: 'type', record: null })}>
              {t.wsNewTaskType}
            </Button>
          </div>
          <Caption1 className={s.muted}>{t.wsTypeNote}</Caption1>
          {data.types.length === 0 ? (
            <Caption1>{t.wsNoTaskTypes}</Caption1>
          ) : (
            <div className={s.scroll}>
              <Table size="small" className={s.table} aria-label={t.wsTaskTypes}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell className={s.wide}>{t.name}</TableHeaderCell>
                    <TableHeaderCell>{t.wsDurationShort}</TableHeaderCell>
                    <TableHeaderCell>{t.wsReminderShort}</TableHeaderCell>
                    <TableHeaderCell>{t.wsCategoryShort}</TableHeaderCell>
                    <TableHeaderCell>{t.status}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.types.map((x) => (
                    <TableRow
                      key={x.code}
                      className={mergeClasses(s.clickableRow, isOpen('type', x.code) && s.selected)}
                      onClick={openOnRowClick(() => open({ kind: 'type', record: x }))}
                    >
                      <TableCell>
                        <div className={s.nameCell}>
                          {nameButton(`${x.nameRu} / ${x.nameEn}`, () => open({ kind: 'type', record: x }))}
                          <Caption1 className={s.muted}>{x.code}</Caption1>
                        </div>
                      </TableCell>
                      <TableCell>{minutes(x.defaultDurationMinutes)}</TableCell>
                      <TableCell>{minutes(x.defaultReminderMinutes)}</TableCell>
                      <TableCell>{x.calendarCategory}</TableCell>
                      <TableCell>
                        <Badge appearance="tint" color={x.active ? 'success' : 'subtle'}>
                          {x.active ? t.active : t.inactive}
                        </Badge>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
        </section>
        <section className={s.block} aria-label={t.wsPriorities}>
          <Subtitle2 as="h3">{t.wsPriorities}</Subtitle2>
          <div className={s.scroll}>
            <Table size="small" className={s.table} aria-label={t.wsPriorities}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t.name}</TableHeaderCell>
                  <TableHeaderCell>{t.wsTypeCode}</TableHeaderCell>
                  <TableHeaderCell>{t.wsImportance}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {data.priorities.map((x) => (
                  <TableRow
                    key={x.code}
                    className={mergeClasses(s.clickableRow, isOpen('priority', x.code) && s.selected)}
                    onClick={openOnRowClick(() => open({ kind: 'priority', record: x }))}
                  >
                    <TableCell>
                      {nameButton(`${x.nameRu} / ${x.nameEn}`, () => open({ kind: 'priority', record: x }))}
                    </TableCell>
                    <TableCell>{x.code}</TableCell>
                    <TableCell>{t.wsImportanceLabels[x.graphImportance]}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </section>
        <WorkingHoursBlock branches={data.branches} />
      </div>
      {editing.kind !== 'none' && (
        <section ref={panelRef} className={s.panel} aria-label={t.edit}>
          {notice && (
            <MessageBar intent="success">
              <MessageBarBody>{notice}</MessageBarBody>
            </MessageBar>
          )}
          {editing.kind === 'type' && (
            <TaskTypeForm
              key={editing.record ? `${editing.record.code}:${editing.record.version}` : 'new'}
              record={editing.record}
              onSaved={(code, m) => void saved('type', code, m)}
              onClose={() => setEditing({ kind: 'none' })}
            />
          )}
          {editing.kind === 'priority' && (
            <PriorityForm
              key={`${editing.record.code}:${editing.record.version}`}
              record={editing.record}
              onSaved={(code, m) => void saved('priority', code, m)}
              onClose={() => setEditing({ kind: 'none' })}
            />
          )}
        </section>
      )}
    </div>
  );
}

/** Draft, unsaved-changes registration and the save call of one form; `check` gives client-side messages. */
function useForm<D, R>(
  initial: D,
  check: (d: D) => Record<string, string>,
  submit: (d: D) => Promise<R>,
  onSaved: (saved: R) => void,
) {
  const [draft, setDraft] = useState<D>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  useUnsavedChanges(dirty);
  const problems = tried ? check(draft) : {};
  const save = async () => {
    setTried(true);
    if (Object.keys(check(draft)).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      onSaved(await submit(draft));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const set = <K extends keyof D>(k: K, v: D[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const err = (name: string) => problems[name] ?? fieldError(error, name);
  return { draft, set, error, busy, dirty, save, err };
}

function FormShell({
  title,
  isNew,
  form,
  fields,
  onReload,
  onClose,
  children,
}: {
  title: string;
  isNew: boolean;
  form: { error: unknown; busy: boolean; dirty: boolean; save: () => Promise<void> };
  fields: string[];
  onReload: () => void;
  onClose?: () => void;
  children: ReactNode;
}): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  return (
    <form
      className={s.form}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void form.save();
      }}
    >
      <Subtitle2 as="h3">{title}</Subtitle2>
      {children}
      <FormError error={form.error} fields={[...fields, 'version']} onReload={onReload} />
      <div className={s.actions}>
        <Button type="submit" appearance="primary" disabled={form.busy || (!isNew && !form.dirty)}>
          {form.busy ? t.saving : isNew ? t.create : t.save}
        </Button>
        {onClose && <Button onClick={onClose}>{t.cancel}</Button>}
      </div>
    </form>
  );
}

type FormProps<R> = { record: R; onSaved: (code: string, message?: string) => void; onClose: () => void };

function TaskTypeForm({ record, onSaved, onClose }: FormProps<TaskTypeSettingDto | null>): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const initial = useMemo(
    () => ({
      code: record?.code ?? '',
      nameRu: record?.nameRu ?? '',
      nameEn: record?.nameEn ?? '',
      duration: record?.defaultDurationMinutes?.toString() ?? (record ? '' : '30'),
      reminder: record?.defaultReminderMinutes?.toString() ?? (record ? '' : '15'),
      calendarCategory: record?.calendarCategory ?? 'CRM',
      active: record?.active ?? true,
    }),
    [record],
  );
  const f = useForm(
    initial,
    (d) => {
      const p: Record<string, string> = {};
      if (!record && !/^[a-z][a-z0-9_]{1,39}$/.test(d.code.trim())) p.code = t.wsTypeCodeInvalid;
      if (Number.isNaN(minutesOf(d.duration, 1))) p.defaultDurationMinutes = t.wsDurationInvalid;
      if (Number.isNaN(minutesOf(d.reminder, 0))) p.defaultReminderMinutes = t.wsReminderInvalid;
      return p;
    },
    async (d) => {
      const body = {
        nameRu: d.nameRu,
        nameEn: d.nameEn,
        defaultDurationMinutes: minutesOf(d.duration, 1),
        defaultReminderMinutes: minutesOf(d.reminder, 0),
        calendarCategory: d.calendarCategory,
        active: d.active,
      };
      return record
        ? adminApi.updateTaskType(record.code, { version: record.version, ...body })
        : adminApi.createTaskType({ code: d.code.trim(), ...body });
    },
    (saved) => onSaved(saved.code),
  );
  return (
    <FormShell
      title={record ? `${record.nameRu} / ${record.nameEn}` : t.wsNewTaskType}
      isNew={!record}
      form={f}
      fields={[
        'code',
        'nameRu',
        'nameEn',
        'defaultDurationMinutes',
        'defaultReminderMinutes',
        'calendarCategory',
        'active',
      ]}
      onReload={() => record && onSaved(record.code, '')}
      onClose={onClose}
    >
      {record ? (
        <Caption1 className={s.muted}>{`${t.wsTypeCode}: ${record.code}`}</Caption1>
      ) : (
        <Field label={t.wsTypeCode} hint={t.wsTypeCodeHint} required validationMessage={f.err('code')}>
          <Input value={f.draft.code} onChange={(_, d) => f.set('code', d.value)} />
        </Field>
      )}
      <Field label={t.wsNameRu} required validationMessage={f.err('nameRu')}>
        <Input value={f.draft.nameRu} onChange={(_, d) => f.set('nameRu', d.value)} />
      </Field>
      <Field label={t.wsNameEn} required validationMessage={f.err('nameEn')}>
        <Input value={f.draft.nameEn} onChange={(_, d) => f.set('nameEn', d.value)} />
      </Field>
      <div className={s.pair}>
        <Field
          className={s.grow}
          label={t.wsDuration}
          hint={t.wsDurationHint}
          validationMessage={f.err('defaultDurationMinutes')}
        >
          <Input
            className={s.fill}
            inputMode="numeric"
            value={f.draft.duration}
            onChange={(_, d) => f.set('duration', d.value)}
          />
        </Field>
        <Field
          className={s.grow}
          label={t.wsReminder}
          hint={t.wsReminderHint}
          validationMessage={f.err('defaultReminderMinutes')}
        >
          <Input
            className={s.fill}
            inputMode="numeric"
            value={f.draft.reminder}
            onChange={(_, d) => f.set('reminder', d.value)}
          />
        </Field>
      </div>
      <Field label={t.wsCategory} required validationMessage={f.err('calendarCategory')}>
        <Input value={f.draft.calendarCategory} onChange={(_, d) => f.set('calendarCategory', d.value)} />
      </Field>
      <Field validationMessage={f.err('active')}>
        <Switch label={t.wsActive} checked={f.draft.active} onChange={(_, d) => f.set('active', d.checked)} />
      </Field>
    </FormShell>
  );
}

function PriorityForm({ record, onSaved, onClose }: FormProps<TaskPrioritySettingDto>): JSX.Element {
  const t = useAdminText();
  const initial = useMemo(
    () => ({ nameRu: record.nameRu, nameEn: record.nameEn, graphImportance: record.graphImportance }),
    [record],
  );
  const f = useForm(
    initial,
    () => ({}),
    (d) => adminApi.updateTaskPriority(record.code, { version: record.version, ...d }),
    (saved) => onSaved(saved.code),
  );
  const importances = Object.keys(t.wsImportanceLabels) as TaskPrioritySettingDto['graphImportance'][];
  return (
    <FormShell
      title={`${record.nameRu} / ${record.nameEn}`}
      isNew={false}
      form={f}
      fields={['nameRu', 'nameEn', 'graphImportance']}
      onReload={() => onSaved(record.code, '')}
      onClose={onClose}
    >
      <Field label={t.wsNameRu} required validationMessage={f.err('nameRu')}>
        <Input value={f.draft.nameRu} onChange={(_, d) => f.set('nameRu', d.value)} />
      </Field>
      <Field label={t.wsNameEn} required validationMessage={f.err('nameEn')}>
        <Input value={f.draft.nameEn} onChange={(_, d) => f.set('nameEn', d.value)} />
      </Field>
      <ChoiceField
        label={t.wsImportance}
        validationMessage={f.err('graphImportance')}
        values={importances}
        labels={t.wsImportanceLabels}
        value={f.draft.graphImportance}
        onChange={(v) => f.set('graphImportance', v)}
      />
    </FormShell>
  );
}

/** Pick a branch, then edit its working days, hours and time zone. */
function WorkingHoursBlock({ branches }: { branches: BranchDto[] }): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const [branchId, setBranchId] = useState<string>(branches[0]?.id ?? '');
  const [hours, setHours] = useState<BranchWorkingHoursDto | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState(false);

  const load = useCallback(async (id: string) => {
    setError(null);
    setHours(null);
    if (!id) return;
    try {
      setHours(await adminApi.workingHours(id));
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load(branchId);
  }, [branchId, load]);

  const branch = branches.find((b) => b.id === branchId);
  return (
    <section className={s.block} aria-label={t.wsWorkingHours}>
      <Subtitle2 as="h3">{t.wsWorkingHours}</Subtitle2>
      <Caption1 className={s.muted}>{t.wsWorkingHoursNote}</Caption1>
      {branches.length === 0 ? (
        <Caption1>{t.wsNoBranches}</Caption1>
      ) : (
        <div className={s.card}>
          <Field label={t.branch}>
            <Dropdown
              value={branch ? `${branch.code} · ${branch.name}` : ''}
              selectedOptions={[branchId]}
              onOptionSelect={(_, d) => {
                setNotice(false);
                setBranchId(d.optionValue ?? '');
              }}
            >
              {branches.map((b) => (
                <Option key={b.id} value={b.id}>
                  {`${b.code} · ${b.name}`}
                </Option>
              ))}
            </Dropdown>
          </Field>
          {notice && (
            <MessageBar intent="success">
              <MessageBarBody>{t.saved}</MessageBarBody>
            </MessageBar>
          )}
          {error !== null && <ErrorBar error={error} onRetry={() => void load(branchId)} />}
          {!hours && error === null && <Spinner size="small" />}
          {hours && (
            <WorkingHoursForm
              key={`${hours.branchId}:${hours.version}`}
              hours={hours}
              onSaved={(next) => {
                setHours(next);
                setNotice(true);
              }}
              onReload={() => {
                setNotice(false);
                void load(branchId);
              }}
            />
          )}
        </div>
      )}
    </section>
  );
}

function WorkingHoursForm({
  hours,
  onSaved,
  onReload,
}: {
  hours: BranchWorkingHoursDto;
  onSaved: (h: BranchWorkingHoursDto) => void;
  onReload: () => void;
}): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const zoneList = useId();
  const initial = useMemo(
    () => ({
      workDays: hours.workDays,
      dayStart: hours.dayStart,
      dayEnd: hours.dayEnd,
      timeZone: hours.timeZone,
    }),
    [hours],
  );
  const f = useForm(
    initial,
    (d) => checkHours(d, t),
    (d) => adminApi.saveWorkingHours(hours.branchId, { version: hours.version, ...d }),
    onSaved,
  );
  const toggle = (day: number, on: boolean) =>
    f.set(
      'workDays',
      on ? [...f.draft.workDays, day].sort((a, b) => a - b) : f.draft.workDays.filter((x) => x !== day),
    );
  return (
    <FormShell
      title={`${hours.branchCode} · ${hours.branchName}`}
      isNew={false}
      form={f}
      fields={['workDays', 'dayStart', 'dayEnd', 'timeZone']}
      onReload={onReload}
    >
      <Field label={t.wsWorkDays} validationMessage={f.err('workDays')}>
        {/* Each checkbox is its own control: without this they would all take the Field's one id. */}
        <FieldContextProvider value={undefined}>
          <fieldset className={s.days} aria-label={t.wsWorkDays}>
            {t.wsWeekdays.map((label, i) => (
              <Checkbox
                key={label}
                label={label}
                checked={f.draft.workDays.includes(i + 1)}
                onChange={(_, d) => toggle(i + 1, d.checked === true)}
              />
            ))}
          </fieldset>
        </FieldContextProvider>
      </Field>
      <div className={s.pair}>
        <Field className={s.grow} label={t.wsDayStart} required validationMessage={f.err('dayStart')}>
          <Input
            className={s.fill}
            type="time"
            value={f.draft.dayStart}
            onChange={(_, d) => f.set('dayStart', d.value)}
          />
        </Field>
        <Field className={s.grow} label={t.wsDayEnd} required validationMessage={f.err('dayEnd')}>
          <Input
            className={s.fill}
            type="time"
            value={f.draft.dayEnd}
            onChange={(_, d) => f.set('dayEnd', d.value)}
          />
        </Field>
      </div>
      <Field label={t.timeZone} hint={t.timeZoneHint} required validationMessage={f.err('timeZone')}>
        <Input value={f.draft.timeZone} list={zoneList} onChange={(_, d) => f.set('timeZone', d.value)} />
      </Field>
      <datalist id={zoneList}>
        {TIME_ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
    </FormShell>
  );
}

/** Client-side messages of the working-hours form (the server checks the same and the zone). */
function checkHours(
  d: { workDays: number[]; dayStart: string; dayEnd: string },
  t: AdminDict,
): Record<string, string> {
  const p: Record<string, string> = {};
  if (d.workDays.length === 0) p.workDays = t.wsNoWorkDays;
  if (d.dayStart && d.dayEnd && d.dayStart >= d.dayEnd) p.dayEnd = t.wsEndBeforeStart;
  return p;
}

import type { AdminUserDto, BranchDto, OrganisationDto, RegionDto, TeamDto } from '@crm/shared';
import {
  Button,
  Caption1,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  mergeClasses,
  Option,
  Spinner,
  Subtitle2,
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
import { useAdminText } from './admin-i18n.ts';
import { adminStyles } from './admin-styles.ts';
import { FormError, fieldError, openOnRowClick, useRevealOnOpen, useUnsavedChanges } from './form.tsx';

const useStyles = makeStyles({
  layout: adminStyles.layout,
  lists: adminStyles.lists,
  block: adminStyles.block,
  blockHead: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM },
  table: adminStyles.table,
  selected: adminStyles.selected,
  clickableRow: adminStyles.clickableRow,
  panel: adminStyles.panel,
  form: adminStyles.form,
  actions: { display: 'flex', gap: tokens.spacingHorizontalS },
  muted: adminStyles.muted,
  nameButton: adminStyles.nameButton,
  nameCell: adminStyles.nameCell,
  wideColumn: adminStyles.wideColumn,
});

type Editing =
  | { kind: 'none' }
  | { kind: 'region'; record: RegionDto | null }
  | { kind: 'branch'; record: BranchDto | null }
  | { kind: 'team'; record: TeamDto | null };

/** IANA zone names the browser knows, for the time-zone picker (the server checks again). */
const TIME_ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf: (k: string) => string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['Europe/Moscow'];
  }
})();

/** Organisation: regions -> branches -> teams, each with its own form on the right. */
export default function OrganisationSection(): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const [org, setOrg] = useState<OrganisationDto | null>(null);
  const [supervisors, setSupervisors] = useState<AdminUserDto[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const [o, sups] = await Promise.all([
        adminApi.organisation(),
        adminApi.users({ role: 'supervisor', active: true, limit: 500 }),
      ]);
      setOrg(o);
      setSupervisors(sups.items);
      return o;
    } catch (err) {
      setError(err);
      return null;
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const saved = async (kind: 'region' | 'branch' | 'team', id: string, message = t.saved) => {
    const o = await load();
    if (!o) return;
    setNotice(message || null);
    if (kind === 'region') setEditing({ kind, record: o.regions.find((x) => x.id === id) ?? null });
    if (kind === 'branch') setEditing({ kind, record: o.branches.find((x) => x.id === id) ?? null });
    if (kind === 'team') setEditing({ kind, record: o.teams.find((x) => x.id === id) ?? null });
  };
  const open = (e: Editing) => {
    setNotice(null);
    setEditing(e);
  };
  const isOpen = (kind: string, id: string) =>
    editing.kind === kind && (editing as { record: { id: string } | null }).record?.id === id;
  const panelRef = useRevealOnOpen<HTMLElement>(
    editing.kind === 'none' ? null : `${editing.kind}:${editing.record?.id ?? 'new'}`,
  );
  const rowProps = (kind: 'region' | 'branch' | 'team', id: string, onOpen: () => void) => ({
    className: mergeClasses(s.clickableRow, isOpen(kind, id) && s.selected),
    onClick: openOnRowClick(onOpen),
  });

  if (!org)
    return error !== null ? <ErrorBar error={error} onRetry={() => void load()} /> : <Spinner size="small" />;
  const regionName = (id: string | null) => org.regions.find((r) => r.id === id)?.name ?? t.none;
  const branchName = (id: string) => org.branches.find((b) => b.id === id)?.code ?? t.none;

  const head = (title: string, add: string, onAdd: () => void): ReactNode => (
    <div className={s.blockHead}>
      <Subtitle2 as="h3">{title}</Subtitle2>
      <Button size="small" onClick={onAdd}>
        {add}
      </Button>
    </div>
  );
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

  return (
    <div className={s.layout}>
      <div className={s.lists}>
        {error !== null && <ErrorBar error={error} onRetry={() => void load()} />}
        <section className={s.block} aria-label={t.regions}>
          {head(t.regions, t.newRegion, () => open({ kind: 'region', record: null }))}
          <Table size="small" className={s.table} aria-label={t.regions}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t.name}</TableHeaderCell>
                <TableHeaderCell>{t.branches}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {org.regions.map((r) => (
                <TableRow key={r.id} {...rowProps('region', r.id, () => open({ kind: 'region', record: r }))}>
                  <TableCell>{nameButton(r.name, () => open({ kind: 'region', record: r }))}</TableCell>
                  <TableCell>{org.branches.filter((b) => b.regionId === r.id).length}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </section>
        <section className={s.block} aria-label={t.branches}>
          {head(t.branches, t.newBranch, () => open({ kind: 'branch', record: null }))}
          <Table size="small" className={s.table} aria-label={t.branches}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t.code}</TableHeaderCell>
                <TableHeaderCell>{t.name}</TableHeaderCell>
                <TableHeaderCell>{t.region}</TableHeaderCell>
                <TableHeaderCell>{t.timeZone}</TableHeaderCell>
                <TableHeaderCell>{t.users}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {org.branches.map((b) => (
                <TableRow key={b.id} {...rowProps('branch', b.id, () => open({ kind: 'branch', record: b }))}>
                  <TableCell>{nameButton(b.code, () => open({ kind: 'branch', record: b }))}</TableCell>
                  <TableCell>{b.name}</TableCell>
                  <TableCell>{regionName(b.regionId)}</TableCell>
                  <TableCell>{b.timeZone}</TableCell>
                  <TableCell>{b.users}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </section>
        <section className={s.block} aria-label={t.teams}>
          {head(t.teams, t.newTeam, () => open({ kind: 'team', record: null }))}
          <Table size="small" className={s.table} aria-label={t.teams}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t.name}</TableHeaderCell>
                <TableHeaderCell>{t.branch}</TableHeaderCell>
                <TableHeaderCell>{t.supervisor}</TableHeaderCell>
                <TableHeaderCell>{t.members}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {org.teams.map((x) => (
                <TableRow key={x.id} {...rowProps('team', x.id, () => open({ kind: 'team', record: x }))}>
                  <TableCell>{nameButton(x.name, () => open({ kind: 'team', record: x }))}</TableCell>
                  <TableCell>{branchName(x.branchId)}</TableCell>
                  <TableCell>{x.supervisor?.name ?? t.none}</TableCell>
                  <TableCell>{x.members}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </section>
      </div>
      {editing.kind !== 'none' && (
        <section ref={panelRef} className={s.panel} aria-label={t.edit}>
          {notice && (
            <MessageBar intent="success">
              <MessageBarBody>{notice}</MessageBarBody>
            </MessageBar>
          )}
          {editing.kind === 'region' && (
            <RegionForm
              key={editing.record ? `${editing.record.id}:${editing.record.version}` : 'new'}
              record={editing.record}
              onSaved={(id, m) => void saved('region', id, m)}
              onClose={() => setEditing({ kind: 'none' })}
            />
          )}
          {editing.kind === 'branch' && (
            <BranchForm
              key={editing.record ? `${editing.record.id}:${editing.record.version}` : 'new'}
              record={editing.record}
              org={org}
              onSaved={(id, m) => void saved('branch', id, m)}
              onClose={() => setEditing({ kind: 'none' })}
            />
          )}
          {editing.kind === 'team' && (
            <TeamForm
              key={editing.record ? `${editing.record.id}:${editing.record.version}` : 'new'}
              record={editing.record}
              org={org}
              supervisors={supervisors}
              onSaved={(id, m) => void saved('team', id, m)}
              onClose={() => setEditing({ kind: 'none' })}
            />
          )}
        </section>
      )}
    </div>
  );
}

type FormProps<R> = {
  record: R | null;
  onSaved: (id: string, message?: string) => void;
  onClose: () => void;
};

/** Draft state, unsaved-changes registration and the save call of one organisation form. */
function useForm<D>(initial: D, submit: (d: D) => Promise<{ id: string }>, onSaved: (id: string) => void) {
  const [draft, setDraft] = useState<D>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  useUnsavedChanges(dirty);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      onSaved((await submit(draft)).id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const set = <K extends keyof D>(k: K, v: D[K]) => setDraft((d) => ({ ...d, [k]: v }));
  return { draft, set, error, busy, dirty, save, err: (name: string) => fieldError(error, name) };
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
  onClose: () => void;
  children: ReactNode;
}): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  return (
    <form
      className={s.form}
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
        <Button onClick={onClose}>{t.cancel}</Button>
      </div>
    </form>
  );
}

function RegionForm({ record, onSaved, onClose }: FormProps<RegionDto>): JSX.Element {
  const t = useAdminText();
  const f = useForm(
    { name: record?.name ?? '' },
    (d) =>
      record ? adminApi.updateRegion(record.id, { version: record.version, ...d }) : adminApi.createRegion(d),
    onSaved,
  );
  return (
    <FormShell
      title={record ? record.name : t.newRegion}
      isNew={!record}
      form={f}
      fields={['name']}
      onReload={() => record && onSaved(record.id, '')}
      onClose={onClose}
    >
      <Field label={t.name} required validationMessage={f.err('name')}>
        <Input value={f.draft.name} onChange={(_, d) => f.set('name', d.value)} />
      </Field>
    </FormShell>
  );
}

function BranchForm({
  record,
  org,
  onSaved,
  onClose,
}: FormProps<BranchDto> & { org: OrganisationDto }): JSX.Element {
  const t = useAdminText();
  const initial = useMemo(
    () => ({
      code: record?.code ?? '',
      name: record?.name ?? '',
      regionId: record?.regionId ?? org.regions[0]?.id ?? '',
      timeZone: record?.timeZone ?? 'Europe/Moscow',
    }),
    [record, org],
  );
  const f = useForm(
    initial,
    (d) =>
      record ? adminApi.updateBranch(record.id, { version: record.version, ...d }) : adminApi.createBranch(d),
    onSaved,
  );
  const zoneList = useId();
  return (
    <FormShell
      title={record ? `${record.code} · ${record.name}` : t.newBranch}
      isNew={!record}
      form={f}
      fields={['code', 'name', 'regionId', 'timeZone']}
      onReload={() => record && onSaved(record.id, '')}
      onClose={onClose}
    >
      <Field label={t.code} hint={t.codeHint} required validationMessage={f.err('code')}>
        <Input value={f.draft.code} onChange={(_, d) => f.set('code', d.value)} />
      </Field>
      <Field label={t.name} required validationMessage={f.err('name')}>
        <Input value={f.draft.name} onChange={(_, d) => f.set('name', d.value)} />
      </Field>
      <Field label={t.region} required validationMessage={f.err('regionId')}>
        <Dropdown
          value={org.regions.find((r) => r.id === f.draft.regionId)?.name ?? ''}
          selectedOptions={[f.draft.regionId]}
          onOptionSelect={(_, d) => f.set('regionId', d.optionValue ?? '')}
        >
          {org.regions.map((r) => (
            <Option key={r.id} value={r.id}>
              {r.name}
            </Option>
          ))}
        </Dropdown>
      </Field>
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

function TeamForm({
  record,
  org,
  supervisors,
  onSaved,
  onClose,
}: FormProps<TeamDto> & { org: OrganisationDto; supervisors: AdminUserDto[] }): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const initial = useMemo(
    () => ({
      name: record?.name ?? '',
      branchId: record?.branchId ?? org.branches[0]?.id ?? '',
      supervisorId: record?.supervisor?.id ?? null,
    }),
    [record, org],
  );
  const f = useForm(
    initial,
    (d) =>
      record ? adminApi.updateTeam(record.id, { version: record.version, ...d }) : adminApi.createTeam(d),
    onSaved,
  );
  return (
    <FormShell
      title={record ? record.name : t.newTeam}
      isNew={!record}
      form={f}
      fields={['name', 'branchId', 'supervisorId']}
      onReload={() => record && onSaved(record.id, '')}
      onClose={onClose}
    >
      <Field label={t.name} required validationMessage={f.err('name')}>
        <Input value={f.draft.name} onChange={(_, d) => f.set('name', d.value)} />
      </Field>
      <Field
        label={t.branch}
        required
        validationMessage={f.err('branchId')}
        hint={record ? t.moveTeamNote : undefined}
      >
        <Dropdown
          value={org.branches.find((b) => b.id === f.draft.branchId)?.name ?? ''}
          selectedOptions={[f.draft.branchId]}
          onOptionSelect={(_, d) => f.set('branchId', d.optionValue ?? '')}
        >
          {org.branches.map((b) => (
            <Option key={b.id} value={b.id} text={b.name}>
              {`${b.code} · ${b.name}`}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label={t.supervisor} validationMessage={f.err('supervisorId')}>
        <Dropdown
          value={
            supervisors.find((x) => x.id === f.draft.supervisorId)?.name ??
            record?.supervisor?.name ??
            t.noSupervisor
          }
          selectedOptions={[f.draft.supervisorId ?? '']}
          onOptionSelect={(_, d) => f.set('supervisorId', d.optionValue || null)}
        >
          <Option value="">{t.noSupervisor}</Option>
          {supervisors.map((x) => (
            <Option key={x.id} value={x.id}>
              {x.name}
            </Option>
          ))}
        </Dropdown>
      </Field>
      {record && <Caption1 className={s.muted}>{`${t.members}: ${record.members}`}</Caption1>}
    </FormShell>
  );
}

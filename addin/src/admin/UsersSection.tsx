import {
  type AdminUserDto,
  type AdminUsersQueryDto,
  GRANTS,
  type Grant,
  type MeDto,
  type OrganisationDto,
  ROLES,
  type Role,
} from '@crm/shared';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
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
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { type JSX, type Ref, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/api-error.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { adminApi } from './admin-api.ts';
import { type LeftWork, useAdminText } from './admin-i18n.ts';
import { adminStyles } from './admin-styles.ts';
import {
  Breakable,
  FormError,
  fieldError,
  openOnRowClick,
  splitList,
  useRevealOnOpen,
  useUnsavedChanges,
} from './form.tsx';

const useStyles = makeStyles({
  layout: adminStyles.layout,
  list: {
    flexGrow: 1,
    flexBasis: '520px',
    minWidth: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  filters: adminStyles.filters,
  filter: { minWidth: '160px' },
  panel: adminStyles.panel,
  table: adminStyles.table,
  selected: adminStyles.selected,
  clickableRow: adminStyles.clickableRow,
  muted: adminStyles.muted,
  nameButton: adminStyles.nameButton,
  nameCell: adminStyles.nameCell,
  wideColumn: adminStyles.wideColumn,
  form: adminStyles.form,
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});

const ALL = '';

type Editing = { kind: 'none' } | { kind: 'new' } | { kind: 'edit'; user: AdminUserDto };

/** Users and roles: search with filters, the list, and the editor of the chosen (or a new) user. */
export default function UsersSection({ me }: { me: MeDto }): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const { t: common } = useI18n();
  const [query, setQuery] = useState<AdminUsersQueryDto>({ active: true });
  const [text, setText] = useState('');
  const [page, setPage] = useState<{ items: AdminUserDto[]; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [org, setOrg] = useState<OrganisationDto | null>(null);
  const [supervisors, setSupervisors] = useState<AdminUserDto[]>([]);
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const [p, o, sups] = await Promise.all([
        adminApi.users({ ...query, limit: 200 }),
        adminApi.organisation(),
        adminApi.users({ role: 'supervisor', active: true, limit: 500 }),
      ]);
      setPage(p);
      setOrg(o);
      setSupervisors(sups.items);
    } catch (err) {
      setError(err);
    }
  }, [query]);
  useEffect(() => {
    void load();
  }, [load]);

  const panelRef = useRevealOnOpen<HTMLElement>(
    // The editor shows once the organisation has loaded: reveal it then.
    !org ? null : editing.kind === 'edit' ? editing.user.id : editing.kind === 'new' ? 'new' : null,
  );
  const openUser = (u: AdminUserDto) => {
    setNotice(null);
    setEditing({ kind: 'edit', user: u });
  };
  const branchName = (id: string | undefined) => org?.branches.find((b) => b.id === id)?.name;
  const afterSave = (user: AdminUserDto, message = t.saved) => {
    setNotice(message);
    setEditing({ kind: 'edit', user });
    void load();
  };

  return (
    <div className={s.layout}>
      <section className={s.list} aria-label={t.users}>
        <form
          className={s.filters}
          onSubmit={(e) => {
            e.preventDefault();
            setQuery((q) => ({ ...q, q: text.trim() || undefined }));
          }}
        >
          <Field label={t.search} hint={t.searchHint} className={s.filter}>
            <Input value={text} onChange={(_, d) => setText(d.value)} type="search" />
          </Field>
          <Field label={t.role} className={s.filter}>
            <Dropdown
              value={query.role ? common.userRoles[query.role] : t.anyRole}
              selectedOptions={[query.role ?? ALL]}
              onOptionSelect={(_, d) =>
                setQuery((q) => ({ ...q, role: (d.optionValue || undefined) as Role | undefined }))
              }
            >
              <Option value={ALL}>{t.anyRole}</Option>
              {ROLES.map((r) => (
                <Option key={r} value={r}>
                  {common.userRoles[r]}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label={t.branch} className={s.filter}>
            <Dropdown
              value={branchName(query.branchId) ?? t.anyBranch}
              selectedOptions={[query.branchId ?? ALL]}
              onOptionSelect={(_, d) => setQuery((q) => ({ ...q, branchId: d.optionValue || undefined }))}
            >
              <Option value={ALL}>{t.anyBranch}</Option>
              {(org?.branches ?? []).map((b) => (
                <Option key={b.id} value={b.id} text={b.name}>
                  {`${b.code} · ${b.name}`}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label={t.status} className={s.filter}>
            <Dropdown
              value={query.active === undefined ? t.anyStatus : query.active ? t.active : t.inactive}
              selectedOptions={[String(query.active ?? ALL)]}
              onOptionSelect={(_, d) =>
                setQuery((q) => ({
                  ...q,
                  active: d.optionValue === ALL ? undefined : d.optionValue === 'true',
                }))
              }
            >
              <Option value={ALL}>{t.anyStatus}</Option>
              <Option value="true">{t.active}</Option>
              <Option value="false">{t.inactive}</Option>
            </Dropdown>
          </Field>
          <Button type="submit">{t.search}</Button>
          <Button appearance="primary" onClick={() => setEditing({ kind: 'new' })}>
            {t.newUser}
          </Button>
        </form>
        {error !== null && <ErrorBar error={error} onRetry={() => void load()} />}
        {page === null && error === null && <Spinner size="small" />}
        {page && (
          <>
            <Caption1 className={s.muted}>{t.usersFound(page.total)}</Caption1>
            <Table size="small" className={s.table} aria-label={t.users}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell className={s.wideColumn}>{t.name}</TableHeaderCell>
                  <TableHeaderCell>{t.role}</TableHeaderCell>
                  <TableHeaderCell>{t.branch}</TableHeaderCell>
                  <TableHeaderCell>{t.supervisor}</TableHeaderCell>
                  <TableHeaderCell>{t.status}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {page.items.map((u) => (
                  <TableRow
                    key={u.id}
                    className={mergeClasses(
                      s.clickableRow,
                      editing.kind === 'edit' && editing.user.id === u.id && s.selected,
                    )}
                    onClick={openOnRowClick(() => openUser(u))}
                  >
                    <TableCell>
                      <div className={s.nameCell}>
                        <Button
                          className={s.nameButton}
                          appearance="transparent"
                          size="small"
                          aria-label={`${t.edit}: ${u.name}`}
                          onClick={() => openUser(u)}
                        >
                          {u.name}
                        </Button>
                        <Caption1 className={s.muted}>
                          <Breakable text={u.email} />
                        </Caption1>
                      </div>
                    </TableCell>
                    <TableCell>{common.userRoles[u.role]}</TableCell>
                    <TableCell>{u.branch?.code ?? t.none}</TableCell>
                    <TableCell>{u.supervisor?.name ?? t.none}</TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={u.isActive ? 'success' : 'subtle'}>
                        {u.isActive ? t.active : t.inactive}
                      </Badge>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </>
        )}
      </section>
      {editing.kind !== 'none' && org && (
        <UserEditor
          ref={panelRef}
          key={editing.kind === 'edit' ? `${editing.user.id}:${editing.user.version}` : 'new'}
          user={editing.kind === 'edit' ? editing.user : null}
          org={org}
          supervisors={supervisors}
          me={me}
          notice={notice}
          onSaved={afterSave}
          onClose={() => setEditing({ kind: 'none' })}
        />
      )}
    </div>
  );
}

type Draft = {
  name: string;
  email: string;
  aliases: string;
  role: Role;
  branchId: string | null;
  teamId: string | null;
  supervisorId: string | null;
  grants: Grant[];
  entraTenantId: string;
  entraObjectId: string;
};

const draftOf = (u: AdminUserDto | null): Draft => ({
  name: u?.name ?? '',
  email: u?.email ?? '',
  aliases: (u?.aliases ?? []).join('\n'),
  role: u?.role ?? 'relationship_manager',
  branchId: u?.branch?.id ?? null,
  teamId: u?.team?.id ?? null,
  supervisorId: u?.supervisor?.id ?? null,
  grants: u?.grants ?? [],
  entraTenantId: u?.entraTenantId ?? '',
  entraObjectId: u?.entraObjectId ?? '',
});

const FIELDS = [
  'name',
  'email',
  'aliases',
  'role',
  'branchId',
  'teamId',
  'supervisorId',
  'grants',
  'entraTenantId',
  'entraObjectId',
  'version',
];

/** One user's form: explicit Save, the server's field messages next to the fields, 409 with "Reload". */
function UserEditor({
  ref,
  user,
  org,
  supervisors,
  me,
  notice,
  onSaved,
  onClose,
}: {
  ref: Ref<HTMLElement>;
  user: AdminUserDto | null;
  org: OrganisationDto;
  supervisors: AdminUserDto[];
  me: MeDto;
  notice: string | null;
  onSaved: (u: AdminUserDto, message?: string) => void;
  onClose: () => void;
}): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const { t: common } = useI18n();
  const initial = useMemo(() => draftOf(user), [user]);
  const [draft, setDraft] = useState<Draft>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [deactivating, setDeactivating] = useState(false);
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  useUnsavedChanges(dirty);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const err = (name: string) => fieldError(error, name);
  const teams = org.teams.filter((x) => x.branchId === draft.branchId);

  const reload = async () => {
    if (!user) return;
    setError(null);
    try {
      onSaved(await adminApi.user(user.id), '');
    } catch (e) {
      setError(e);
    }
  };

  const save = async () => {
    setBusy(true);
    setError(null);
    const ids =
      draft.entraTenantId.trim() || draft.entraObjectId.trim()
        ? {
            entraTenantId: draft.entraTenantId.trim() || null,
            entraObjectId: draft.entraObjectId.trim() || null,
          }
        : { entraTenantId: null, entraObjectId: null };
    const common = {
      name: draft.name,
      aliases: splitList(draft.aliases),
      role: draft.role,
      branchId: draft.branchId,
      teamId: draft.teamId,
      supervisorId: draft.supervisorId,
      grants: draft.grants,
      ...ids,
    };
    try {
      const saved = user
        ? await adminApi.updateUser(user.id, { version: user.version, ...common })
        : await adminApi.createUser({ ...common, email: draft.email });
      onSaved(saved);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section ref={ref} className={s.panel} aria-label={user ? user.name : t.newUser}>
      <Subtitle2 as="h3">{user ? user.name : t.newUser}</Subtitle2>
      {user && <Caption1 className={s.muted}>{t.userWork(user.openTasks, user.managedClients)}</Caption1>}
      {notice && !dirty && (
        <MessageBar intent="success">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        className={s.form}
      >
        <Field label={t.name} required validationMessage={err('name')}>
          <Input value={draft.name} onChange={(_, d) => set('name', d.value)} />
        </Field>
        <Field label={t.email} required={!user} validationMessage={err('email')}>
          <Input
            value={draft.email}
            disabled={Boolean(user)}
            type="email"
            onChange={(_, d) => set('email', d.value)}
          />
        </Field>
        <Field label={t.aliases} hint={t.aliasesHint} validationMessage={err('aliases')}>
          <Textarea value={draft.aliases} rows={2} onChange={(_, d) => set('aliases', d.value)} />
        </Field>
        <Field label={t.role} required validationMessage={err('role')}>
          <Dropdown
            value={common.userRoles[draft.role]}
            selectedOptions={[draft.role]}
            onOptionSelect={(_, d) => set('role', d.optionValue as Role)}
          >
            {ROLES.map((r) => (
              <Option key={r} value={r}>
                {common.userRoles[r]}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label={t.branch} validationMessage={err('branchId')}>
          <Dropdown
            value={org.branches.find((b) => b.id === draft.branchId)?.name ?? t.noBranch}
            selectedOptions={[draft.branchId ?? ALL]}
            onOptionSelect={(_, d) =>
              setDraft((x) => ({ ...x, branchId: d.optionValue || null, teamId: null }))
            }
          >
            <Option value={ALL}>{t.noBranch}</Option>
            {org.branches.map((b) => (
              <Option key={b.id} value={b.id} text={b.name}>
                {`${b.code} · ${b.name}`}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label={t.team} validationMessage={err('teamId')}>
          <Dropdown
            value={org.teams.find((x) => x.id === draft.teamId)?.name ?? t.noTeam}
            selectedOptions={[draft.teamId ?? ALL]}
            disabled={teams.length === 0 && !draft.teamId}
            onOptionSelect={(_, d) => set('teamId', d.optionValue || null)}
          >
            <Option value={ALL}>{t.noTeam}</Option>
            {teams.map((x) => (
              <Option key={x.id} value={x.id}>
                {x.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label={t.supervisor} validationMessage={err('supervisorId')}>
          <Dropdown
            value={
              supervisors.find((x) => x.id === draft.supervisorId)?.name ??
              user?.supervisor?.name ??
              t.noSupervisor
            }
            selectedOptions={[draft.supervisorId ?? ALL]}
            onOptionSelect={(_, d) => set('supervisorId', d.optionValue || null)}
          >
            <Option value={ALL}>{t.noSupervisor}</Option>
            {supervisors
              .filter((x) => x.id !== user?.id)
              .map((x) => (
                <Option key={x.id} value={x.id}>
                  {x.name}
                </Option>
              ))}
          </Dropdown>
        </Field>
        <Field label={t.grants} validationMessage={err('grants')}>
          <div>
            {GRANTS.map((g) => (
              <Checkbox
                key={g}
                label={t.grantLabels[g]}
                checked={draft.grants.includes(g)}
                onChange={(_, d) =>
                  set('grants', d.checked ? [...draft.grants, g] : draft.grants.filter((x) => x !== g))
                }
              />
            ))}
          </div>
        </Field>
        <Field label={t.entraTenantId} hint={t.entraHint} validationMessage={err('entraTenantId')}>
          <Input value={draft.entraTenantId} onChange={(_, d) => set('entraTenantId', d.value)} />
        </Field>
        <Field label={t.entraObjectId} validationMessage={err('entraObjectId')}>
          <Input value={draft.entraObjectId} onChange={(_, d) => set('entraObjectId', d.value)} />
        </Field>
        <FormError error={error} fields={FIELDS} onReload={() => void reload()} />
        <div className={s.actions}>
          <Button type="submit" appearance="primary" disabled={busy || (user !== null && !dirty)}>
            {busy ? t.saving : user ? t.save : t.create}
          </Button>
          <Button onClick={onClose}>{t.cancel}</Button>
          {user?.isActive && user.id !== me.id && (
            <Button appearance="subtle" onClick={() => setDeactivating(true)} disabled={dirty}>
              {t.deactivate}
            </Button>
          )}
        </div>
      </form>
      {deactivating && user && (
        <DeactivateDialog
          user={user}
          onClose={() => setDeactivating(false)}
          onDone={onSaved}
          onReload={() => void reload()}
        />
      )}
    </section>
  );
}

/** Deactivation: who takes over open tasks and clients (required when there are any), in one step. */
function DeactivateDialog({
  user,
  onClose,
  onDone,
  onReload,
}: {
  user: AdminUserDto;
  onClose: () => void;
  onDone: (u: AdminUserDto, message?: string) => void;
  onReload: () => void;
}): JSX.Element {
  const t = useAdminText();
  const [candidates, setCandidates] = useState<AdminUserDto[]>([]);
  const [reassignTo, setReassignTo] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Fresh counts come back with a 409 REASSIGNMENT_REQUIRED when someone added work meanwhile.
  const [counts, setCounts] = useState<LeftWork>({
    tasks: user.openTasks,
    clients: user.managedClients,
    reports: user.directReports,
    teams: user.supervisedTeams,
    stages: user.openStages,
  });
  useEffect(() => {
    adminApi
      .users({ active: true, limit: 500 })
      .then((p) => setCandidates(p.items.filter((u) => u.id !== user.id && u.role !== 'admin')), setError);
  }, [user.id]);
  // People and teams go only to a supervisor (the server refuses anyone else): offer only those.
  const offered =
    counts.reports > 0 || counts.teams > 0 ? candidates.filter((c) => c.role === 'supervisor') : candidates;
  const needsTarget = Object.values(counts).some((n) => n > 0);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await adminApi.deactivateUser(user.id, {
        version: user.version,
        ...(reassignTo ? { reassignTo } : {}),
      });
      onClose();
      onDone(
        r.user,
        t.deactivated({
          tasks: r.movedTasks,
          clients: r.movedClients,
          reports: r.movedReports,
          teams: r.movedTeams,
          stages: r.movedStages,
        }),
      );
    } catch (e) {
      // Someone assigned more work meanwhile: show the fresh counts.
      if (e instanceof ApiError && e.code === 'REASSIGNMENT_REQUIRED')
        setCounts({
          tasks: Number(e.body.openTasks),
          clients: Number(e.body.managedClients),
          reports: Number(e.body.directReports ?? 0),
          teams: Number(e.body.supervisedTeams ?? 0),
          stages: Number(e.body.openStages ?? 0),
        });
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t.deactivateTitle(user.name)}</DialogTitle>
          <DialogContent>
            <p>
              <Body1>{t.deactivateBody}</Body1>
            </p>
            {needsTarget && (
              <p>
                <Body1>{t.deactivateMoves(counts)}</Body1>
              </p>
            )}
            {needsTarget && (
              <Field label={t.reassignTo} required validationMessage={fieldError(error, 'reassignTo')}>
                <Dropdown
                  placeholder={t.chooseUser}
                  value={offered.find((c) => c.id === reassignTo)?.name ?? ''}
                  selectedOptions={reassignTo ? [reassignTo] : []}
                  onOptionSelect={(_, d) => setReassignTo(d.optionValue ?? null)}
                >
                  {offered.map((c) => (
                    <Option key={c.id} value={c.id} text={c.name}>
                      {`${c.name} · ${c.branch?.code ?? '—'}`}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
            )}
            <FormError error={error} fields={['reassignTo']} onReload={onReload} />
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              disabled={busy || (needsTarget && !reassignTo)}
              onClick={() => void confirm()}
            >
              {busy ? t.saving : t.deactivate.replace('…', '')}
            </Button>
            <Button onClick={onClose}>{t.cancel}</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

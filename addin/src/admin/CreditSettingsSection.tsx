import {
  type AdminUserDto,
  type ApprovalRouteDto,
  type ApprovalRoutesDto,
  CREDIT_STAGES,
  HOLIDAY_KINDS,
  type HolidayDto,
  type HolidaysDto,
  LOAN_KINDS,
  type NotificationTemplateDto,
  type PreviewTemplateResultDto,
  STAGE_OWNER_ROLES,
  TEMPLATE_CHANNELS,
  TEMPLATE_EVENTS,
  TEMPLATE_LANGS,
} from '@crm/shared';
import {
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
  Option,
  Spinner,
  Subtitle2,
  Switch,
  Tab,
  TabList,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/api-error.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { adminApi } from './admin-api.ts';
import { useAdminText } from './admin-i18n.ts';
import { adminStyles } from './admin-styles.ts';
import {
  ChoiceField,
  FormError,
  fieldError,
  openOnRowClick,
  useAdminData,
  useRevealOnOpen,
  useUnsavedChanges,
} from './form.tsx';

// Credit settings: approval routes (an edit saves a new version; running applications keep theirs), the
// production calendar, and the client message templates with a preview.

const useStyles = makeStyles({
  root: adminStyles.root,
  layout: adminStyles.layout,
  list: {
    flexGrow: 3,
    flexBasis: '480px',
    minWidth: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  head: adminStyles.head,
  table: adminStyles.table,
  selected: adminStyles.selected,
  clickableRow: adminStyles.clickableRow,
  panel: {
    flexGrow: 2,
    flexBasis: '340px',
    minWidth: 0,
    maxWidth: '640px',
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
  },
  form: adminStyles.form,
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-start', gap: tokens.spacingHorizontalM },
  grow: { flexGrow: 1, flexBasis: '160px', minWidth: 0 },
  stage: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  stageList: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    margin: 0,
    paddingInlineStart: 0,
    listStyleType: 'none',
  },
  stageHead: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  stageTitle: { flexGrow: 1 },
  checks: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalS },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  // The route editor takes the section's width: the list and the editor are two views, not side by side.
  editor: {
    maxWidth: '880px',
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
  },
  // Fluent's Dropdown keeps 250px by default; in a wrapping row it should take the field's width.
  dropdown: { minWidth: 0, width: '100%' },
  nowrap: { whiteSpace: 'nowrap' },
  year: { width: '160px' },
  narrow: { width: '110px' },
  day: { width: '56px' },
  wrap: { overflowWrap: 'break-word' },
  wide: { flexGrow: 2, flexBasis: '240px', minWidth: 0 },
  addBox: {
    maxWidth: '1040px',
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
  },
  action: { width: '48px' },
  muted: adminStyles.muted,
  nameButton: adminStyles.nameButton,
  preview: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
});

type CreditTab = 'routes' | 'holidays' | 'templates';

/** The credit settings section (`#credit`): three tabs, each kept mounted so a draft survives a tab switch. */
export default function CreditSettingsSection(): JSX.Element {
  const s = useStyles();
  const t = useAdminText().credit;
  const [tab, setTab] = useState<CreditTab>('routes');
  return (
    <div className={s.root}>
      <TabList selectedValue={tab} onTabSelect={(_, d) => setTab(d.value as CreditTab)}>
        {(['routes', 'holidays', 'templates'] as const).map((x) => (
          <Tab key={x} value={x}>
            {t.tabs[x]}
          </Tab>
        ))}
      </TabList>
      <div hidden={tab !== 'routes'}>
        <RoutesTab />
      </div>
      <div hidden={tab !== 'holidays'}>
        <HolidaysTab />
      </div>
      <div hidden={tab !== 'templates'}>
        <TemplatesTab />
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- approval routes

type StageDraft = {
  /** Stable React key while stages move. */
  key: string;
  stageCode: (typeof CREDIT_STAGES)[number];
  /** `role:<role>` or `user:<id>`. */
  owner: string;
  sla: string;
  canReturnTo: string[];
  canDecline: boolean;
  decides: boolean;
};
type RouteDraft = {
  name: string;
  loanKind: (typeof LOAN_KINDS)[number];
  productCodes: string[];
  amountMin: string;
  amountMax: string;
  currency: string;
  priority: string;
  stages: StageDraft[];
};

let stageKeys = 0;
const newKey = () => `s${++stageKeys}`;

function draftOf(r: ApprovalRouteDto | null): RouteDraft {
  if (!r)
    return {
      name: '',
      loanKind: 'consumer',
      productCodes: [],
      amountMin: '',
      amountMax: '',
      currency: 'RUB',
      priority: '0',
      stages: [
        {
          key: newKey(),
          stageCode: 'intake',
          owner: 'role:client_manager',
          sla: '4',
          canReturnTo: [],
          canDecline: true,
          decides: false,
        },
        {
          key: newKey(),
          stageCode: 'decision',
          owner: 'role:supervisor',
          sla: '8',
          canReturnTo: ['intake'],
          canDecline: true,
          decides: true,
        },
      ],
    };
  return {
    name: r.name,
    loanKind: r.loanKind,
    productCodes: r.productCodes,
    amountMin: r.amountMin ?? '',
    amountMax: r.amountMax ?? '',
    currency: r.currency,
    priority: String(r.priority),
    stages: r.stages.map((st) => ({
      key: st.id,
      stageCode: st.stageCode,
      owner: st.owner ? `user:${st.owner.id}` : `role:${st.ownerRole}`,
      sla: String(st.slaWorkingHours),
      canReturnTo: st.canReturnTo,
      canDecline: st.canDecline,
      decides: st.decides,
    })),
  };
}

/** A stage may only return to stages above it: after a move or a code change, drop the others. */
function pruneReturns(stages: StageDraft[]): StageDraft[] {
  return stages.map((st, i) => {
    const earlier = stages.slice(0, i).map((x) => x.stageCode as string);
    return { ...st, canReturnTo: st.canReturnTo.filter((c) => earlier.includes(c)) };
  });
}

const num = (v: string) => (v.trim() === '' ? Number.NaN : Number(v));

function bodyOf(d: RouteDraft) {
  return {
    loanKind: d.loanKind,
    productCodes: d.productCodes,
    amountMin: d.amountMin.trim() === '' ? null : d.amountMin.trim(),
    amountMax: d.amountMax.trim() === '' ? null : d.amountMax.trim(),
    currency: d.currency.trim().toUpperCase(),
    priority: num(d.priority),
    stages: d.stages.map((st) => ({
      stageCode: st.stageCode,
      ownerRole: st.owner.startsWith('role:')
        ? (st.owner.slice(5) as (typeof STAGE_OWNER_ROLES)[number])
        : null,
      ownerUserId: st.owner.startsWith('user:') ? st.owner.slice(5) : null,
      slaWorkingHours: num(st.sla),
      canReturnTo: st.canReturnTo as (typeof CREDIT_STAGES)[number][],
      canDecline: st.canDecline,
      decides: st.decides,
    })),
  };
}

function RoutesTab(): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const c = t.credit;
  const [data, setData] = useState<ApprovalRoutesDto | null>(null);
  const [users, setUsers] = useState<AdminUserDto[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [history, setHistory] = useState(false);
  const [open, setOpen] = useState<{ id: string | null } | null>(null);
  // The editor takes the list's place: show its top and put focus on its heading, not on the lost button.
  const editorRef = useRevealOnOpen<HTMLElement>(open ? (open.id ?? 'new') : null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editorDirty, setEditorDirty] = useState(false);
  const [ask, setAsk] = useState<{ next: { id: string | null } | null } | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const [routes, people] = await Promise.all([
        adminApi.creditRoutes(),
        adminApi.users({ active: true, limit: 500 }),
      ]);
      setData(routes);
      setUsers(people.items);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const newest = useMemo(() => {
    const m = new Map<string, number>();
    for (const r of data?.items ?? []) m.set(r.name, Math.max(m.get(r.name) ?? 0, r.version));
    return m;
  }, [data]);

  if (!data)
    return error !== null ? <ErrorBar error={error} onRetry={() => void load()} /> : <Spinner size="small" />;
  const rows = history ? data.items : data.items.filter((r) => newest.get(r.name) === r.version);
  const current = open?.id ? (data.items.find((r) => r.id === open.id) ?? null) : null;
  const amounts = (r: ApprovalRouteDto) =>
    r.amountMin === null && r.amountMax === null
      ? `${c.anyAmount}, ${r.currency}`
      : [r.amountMin && c.from(r.amountMin), r.amountMax && c.upTo(r.amountMax), r.currency]
          .filter(Boolean)
          .join(' ');

  const saved = async (message: string, id: string | null) => {
    await load();
    setNotice(message);
    setOpen(id ? { id } : null);
  };
  // Leaving an editor with unsaved changes asks first (the page-level warning only sees section switches).
  const leave = (next: { id: string | null } | null) => {
    if (editorDirty) return setAsk({ next });
    setNotice(null);
    setOpen(next);
  };

  if (open)
    return (
      <section ref={editorRef} className={s.editor} aria-label={current ? current.name : c.newRoute}>
        <div className={s.head}>
          <Button size="small" appearance="subtle" onClick={() => leave(null)}>
            {c.backToRoutes}
          </Button>
        </div>
        {notice && (
          <MessageBar intent="success" role="status">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        )}
        {current && newest.get(current.name) !== current.version ? (
          <OlderVersion route={current} onClose={() => leave(null)} />
        ) : (
          <RouteEditor
            key={current ? `${current.id}:${current.version}` : 'new'}
            route={current}
            products={data.products}
            users={users}
            onDirty={setEditorDirty}
            onSaved={(m, id) => void saved(m, id)}
            onReload={() => void saved('', open.id)}
            onClose={() => leave(null)}
          />
        )}
        <Dialog open={ask !== null} onOpenChange={(_, d) => !d.open && setAsk(null)}>
          <DialogSurface>
            <DialogBody>
              <DialogTitle>{t.unsavedTitle}</DialogTitle>
              <DialogContent>
                <Body1>{t.unsavedBody}</Body1>
              </DialogContent>
              <DialogActions>
                <Button appearance="primary" onClick={() => setAsk(null)}>
                  {t.keepEditing}
                </Button>
                <Button
                  onClick={() => {
                    setEditorDirty(false);
                    setNotice(null);
                    setOpen(ask?.next ?? null);
                    setAsk(null);
                  }}
                >
                  {t.discard}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      </section>
    );

  return (
    <div className={s.root}>
      <section className={s.root} aria-label={c.routes}>
        <div className={s.head}>
          <Subtitle2 as="h3">{c.routes}</Subtitle2>
          <Button size="small" onClick={() => leave({ id: null })}>
            {c.newRoute}
          </Button>
          <Switch label={c.showHistory} checked={history} onChange={(_, d) => setHistory(d.checked)} />
        </div>
        {notice && (
          <MessageBar intent="success" role="status">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        )}
        {error !== null && <ErrorBar error={error} onRetry={() => void load()} />}
        {rows.length === 0 ? (
          <Body1>{c.noRoutes}</Body1>
        ) : (
          <Table size="small" className={s.table} aria-label={c.routes}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t.name}</TableHeaderCell>
                <TableHeaderCell>{c.version}</TableHeaderCell>
                <TableHeaderCell>{c.products}</TableHeaderCell>
                <TableHeaderCell>{c.amounts}</TableHeaderCell>
                <TableHeaderCell>{c.priority}</TableHeaderCell>
                <TableHeaderCell>{c.state}</TableHeaderCell>
                <TableHeaderCell>{c.applications}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((r) => (
                <TableRow
                  key={r.id}
                  className={s.clickableRow}
                  onClick={openOnRowClick(() => leave({ id: r.id }))}
                >
                  <TableCell>
                    <Button
                      className={s.nameButton}
                      appearance="transparent"
                      size="small"
                      aria-label={`${t.edit}: ${r.name} ${c.versionShort(r.version)}`}
                      onClick={() => leave({ id: r.id })}
                    >
                      {r.name}
                    </Button>
                  </TableCell>
                  <TableCell>{c.versionShort(r.version)}</TableCell>
                  <TableCell>{r.productCodes.join(', ')}</TableCell>
                  <TableCell>{amounts(r)}</TableCell>
                  <TableCell>{r.priority}</TableCell>
                  <TableCell>{r.active ? c.active : c.inactive}</TableCell>
                  <TableCell>{c.openApplications(r.openApplications, r.applications)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </section>
    </div>
  );
}

function OlderVersion({ route, onClose }: { route: ApprovalRouteDto; onClose: () => void }): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const c = t.credit;
  const { t: ui } = useI18n();
  return (
    <div className={s.form}>
      <Subtitle2 as="h3">{`${route.name} · ${c.versionShort(route.version)}`}</Subtitle2>
      <Caption1 className={s.muted}>{c.olderVersion}</Caption1>
      <Table size="small" aria-label={c.stages}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{c.stageCode}</TableHeaderCell>
            <TableHeaderCell>{c.owner}</TableHeaderCell>
            <TableHeaderCell>{c.sla}</TableHeaderCell>
            <TableHeaderCell>{c.returnTo}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {route.stages.map((st) => (
            <TableRow key={st.id}>
              <TableCell>
                {ui.creditStages[st.stageCode]}
                {st.decides ? ` · ${c.decides}` : ''}
              </TableCell>
              <TableCell>{st.owner?.name ?? (st.ownerRole ? c.ownerRoles[st.ownerRole] : t.none)}</TableCell>
              <TableCell>{st.slaWorkingHours}</TableCell>
              <TableCell>{st.canReturnTo.map((x) => ui.creditStages[x]).join(', ') || t.none}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <div className={s.actions}>
        <Button onClick={onClose}>{t.cancel}</Button>
      </div>
    </div>
  );
}

function RouteEditor({
  route,
  products,
  users,
  onDirty,
  onSaved,
  onReload,
  onClose,
}: {
  route: ApprovalRouteDto | null;
  products: ApprovalRoutesDto['products'];
  users: AdminUserDto[];
  onDirty: (dirty: boolean) => void;
  onSaved: (message: string, id: string | null) => void;
  onReload: () => void;
  onClose: () => void;
}): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const c = t.credit;
  const { t: ui } = useI18n();
  const initial = useMemo(() => draftOf(route), [route]);
  const [draft, setDraft] = useState<RouteDraft>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  useUnsavedChanges(dirty);
  useEffect(() => onDirty(dirty), [onDirty, dirty]);
  const err = (name: string) => fieldError(error, name);
  const set = <K extends keyof RouteDraft>(k: K, v: RouteDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const setStages = (f: (st: StageDraft[]) => StageDraft[]) =>
    setDraft((d) => ({ ...d, stages: pruneReturns(f(d.stages)) }));
  const setStage = (i: number, patch: Partial<StageDraft>) =>
    setStages((st) => st.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const move = (i: number, by: -1 | 1) =>
    setStages((st) => {
      const next = [...st];
      const [x] = next.splice(i, 1);
      next.splice(i + by, 0, x!);
      return next;
    });

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      if (route) {
        const r = await adminApi.saveCreditRouteVersion(route.id, {
          version: route.version,
          ...bodyOf(draft),
        });
        onSaved(
          c.savedVersion(
            r.route.version,
            r.previous?.openApplications ?? 0,
            r.previous?.version ?? route.version,
          ),
          r.route.id,
        );
      } else {
        const r = await adminApi.createCreditRoute({ name: draft.name, ...bodyOf(draft) });
        onSaved(c.created(r.route.name), r.route.id);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const deactivate = async () => {
    if (!route) return;
    setBusy(true);
    setError(null);
    try {
      await adminApi.deactivateCreditRoute(route.id, route.version);
      onSaved(c.deactivated(route.name), route.id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const ownerLabel = (v: string) =>
    v.startsWith('role:')
      ? c.ownerRoles[v.slice(5) as (typeof STAGE_OWNER_ROLES)[number]]
      : (users.find((u) => `user:${u.id}` === v)?.name ??
        route?.stages.find((st) => `user:${st.owner?.id}` === v)?.owner?.name ??
        '');
  const fields = [
    'name',
    'loanKind',
    'productCodes',
    'amountMin',
    'amountMax',
    'currency',
    'priority',
    'stages',
  ];

  return (
    <form
      className={s.form}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Subtitle2 as="h3">{route ? `${route.name} · ${c.versionShort(route.version)}` : c.newRoute}</Subtitle2>
      {route && (
        <Caption1 className={s.muted}>{c.versionNote(route.version, route.openApplications)}</Caption1>
      )}
      {!route && (
        <Field label={t.name} required validationMessage={err('name')}>
          <Input value={draft.name} onChange={(_, d) => set('name', d.value)} />
        </Field>
      )}
      <div className={s.row}>
        <ChoiceField
          className={s.grow}
          dropdownClassName={s.dropdown}
          label={c.loanKind}
          required
          validationMessage={err('loanKind')}
          values={LOAN_KINDS}
          labels={c.loanKinds}
          value={draft.loanKind}
          onChange={(v) => set('loanKind', v)}
        />
        <Field
          className={s.grow}
          label={c.priority}
          hint={c.priorityHint}
          validationMessage={err('priority')}
        >
          <Input
            className={s.dropdown}
            type="number"
            min={0}
            max={1000}
            value={draft.priority}
            onChange={(_, d) => set('priority', d.value)}
          />
        </Field>
      </div>
      <Field label={c.productCodes} validationMessage={err('productCodes')}>
        <div className={s.checks}>
          {products.map((p) => (
            <Checkbox
              key={p.code}
              label={`${p.code} · ${p.name}`}
              checked={draft.productCodes.includes(p.code)}
              onChange={(_, d) =>
                set(
                  'productCodes',
                  d.checked
                    ? [...draft.productCodes, p.code]
                    : draft.productCodes.filter((x) => x !== p.code),
                )
              }
            />
          ))}
        </div>
      </Field>
      <div className={s.row}>
        <Field
          className={s.grow}
          label={c.amountMin}
          hint={c.amountHint}
          validationMessage={err('amountMin')}
        >
          <Input
            className={s.dropdown}
            inputMode="decimal"
            value={draft.amountMin}
            onChange={(_, d) => set('amountMin', d.value)}
          />
        </Field>
        <Field className={s.grow} label={c.amountMax} validationMessage={err('amountMax')}>
          <Input
            className={s.dropdown}
            inputMode="decimal"
            value={draft.amountMax}
            onChange={(_, d) => set('amountMax', d.value)}
          />
        </Field>
        <Field
          className={s.grow}
          label={c.currency}
          hint={c.currencyHint}
          validationMessage={err('currency')}
        >
          <Input
            className={s.dropdown}
            value={draft.currency}
            maxLength={3}
            onChange={(_, d) => set('currency', d.value)}
          />
        </Field>
      </div>
      <Field
        label={c.stages}
        hint={c.stagesHint}
        // Errors about one stage show at that stage; this is for the list as a whole (e.g. no deciding stage).
        validationMessage={
          error instanceof ApiError && error.field === 'body.stages' ? error.message : undefined
        }
      >
        <ol className={s.stageList}>
          {draft.stages.map((st, i) => {
            const f = `stages.${i}`;
            const earlier = draft.stages.slice(0, i);
            return (
              <li key={st.key} className={s.stage} aria-label={c.stageN(i + 1)}>
                <div className={s.stageHead}>
                  <Subtitle2 className={s.stageTitle}>
                    {`${c.stageN(i + 1)}: ${ui.creditStages[st.stageCode]}`}
                  </Subtitle2>
                  <Button
                    size="small"
                    appearance="subtle"
                    aria-label={c.moveUp(i + 1)}
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                  >
                    ↑
                  </Button>
                  <Button
                    size="small"
                    appearance="subtle"
                    aria-label={c.moveDown(i + 1)}
                    disabled={i === draft.stages.length - 1}
                    onClick={() => move(i, 1)}
                  >
                    ↓
                  </Button>
                  <Button
                    size="small"
                    appearance="subtle"
                    aria-label={c.remove(i + 1)}
                    icon={<Icon name="delete" />}
                    disabled={draft.stages.length === 1}
                    onClick={() => setStages((x) => x.filter((_, j) => j !== i))}
                  />
                </div>
                <div className={s.row}>
                  <ChoiceField
                    className={s.grow}
                    dropdownClassName={s.dropdown}
                    label={c.stageCode}
                    validationMessage={err(`${f}.stageCode`)}
                    values={CREDIT_STAGES}
                    labels={ui.creditStages}
                    value={st.stageCode}
                    onChange={(stageCode) => setStage(i, { stageCode })}
                  />
                  <Field
                    className={s.grow}
                    label={c.owner}
                    validationMessage={err(`${f}.ownerRole`) ?? err(`${f}.ownerUserId`)}
                  >
                    <Dropdown
                      className={s.dropdown}
                      value={ownerLabel(st.owner)}
                      selectedOptions={[st.owner]}
                      onOptionSelect={(_, d) => setStage(i, { owner: d.optionValue ?? st.owner })}
                    >
                      {STAGE_OWNER_ROLES.map((r) => (
                        <Option key={r} value={`role:${r}`}>
                          {c.ownerRoles[r]}
                        </Option>
                      ))}
                      {users
                        .filter((u) => u.role !== 'admin')
                        .map((u) => (
                          <Option key={u.id} value={`user:${u.id}`} text={u.name}>
                            {`${u.name} · ${ui.userRoles[u.role]}`}
                          </Option>
                        ))}
                    </Dropdown>
                  </Field>
                  <Field
                    className={s.grow}
                    label={c.sla}
                    hint={c.slaHint}
                    validationMessage={err(`${f}.slaWorkingHours`)}
                  >
                    <Input
                      className={s.dropdown}
                      type="number"
                      min={1}
                      max={2000}
                      value={st.sla}
                      onChange={(_, d) => setStage(i, { sla: d.value })}
                    />
                  </Field>
                </div>
                <Field label={c.returnTo} validationMessage={err(`${f}.canReturnTo`)}>
                  <div className={s.checks}>
                    {earlier.length === 0 && <Caption1 className={s.muted}>{c.noEarlier}</Caption1>}
                    {earlier.map((e) => (
                      <Checkbox
                        key={e.key}
                        label={ui.creditStages[e.stageCode]}
                        checked={st.canReturnTo.includes(e.stageCode)}
                        onChange={(_, d) =>
                          setStage(i, {
                            canReturnTo: d.checked
                              ? [...st.canReturnTo, e.stageCode]
                              : st.canReturnTo.filter((x) => x !== e.stageCode),
                          })
                        }
                      />
                    ))}
                  </div>
                </Field>
                <div className={s.checks}>
                  <Checkbox
                    label={c.canDecline}
                    checked={st.canDecline}
                    onChange={(_, d) => setStage(i, { canDecline: !!d.checked })}
                  />
                  <Checkbox
                    label={c.decides}
                    checked={st.decides}
                    onChange={(_, d) => setStage(i, { decides: !!d.checked })}
                  />
                </div>
              </li>
            );
          })}
        </ol>
      </Field>
      <div className={s.actions}>
        <Button
          size="small"
          icon={<Icon name="add" />}
          disabled={draft.stages.length >= CREDIT_STAGES.length}
          onClick={() =>
            setStages((x) => [
              ...x,
              {
                key: newKey(),
                stageCode: CREDIT_STAGES.find((code) => !x.some((y) => y.stageCode === code)) ?? 'signing',
                owner: 'role:client_manager',
                sla: '8',
                canReturnTo: [],
                canDecline: false,
                decides: false,
              },
            ])
          }
        >
          {c.addStage}
        </Button>
      </div>
      <FormError error={error} fields={[...fields, 'version']} onReload={onReload} />
      <div className={s.actions}>
        <Button type="submit" appearance="primary" disabled={busy || (!!route && !dirty)}>
          {busy ? t.saving : route ? c.saveVersion : t.create}
        </Button>
        <Button onClick={onClose}>{t.cancel}</Button>
        {route?.active && (
          <Button disabled={busy} onClick={() => void deactivate()}>
            {c.deactivate}
          </Button>
        )}
      </div>
    </form>
  );
}

// ---------------------------------------------------------------- production calendar

const THIS_YEAR = new Date().getFullYear();
const YEARS = [THIS_YEAR - 1, THIS_YEAR, THIS_YEAR + 1, THIS_YEAR + 2].map(String);

function HolidaysTab(): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const c = t.credit;
  const { lang } = useI18n();
  const [year, setYear] = useState(String(Math.max(THIS_YEAR, 2026)));
  const [data, setData] = useState<HolidaysDto | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<HolidayDto | null>(null);
  const empty = { date: '', kind: 'holiday' as HolidayDto['kind'], name: '', region: '' };
  const [draft, setDraft] = useState(empty);
  const [formError, setFormError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useUnsavedChanges(draft.date !== '' || draft.name !== '');

  const load = useCallback(async () => {
    setError(null);
    try {
      setData(await adminApi.holidays({ year: Number(year), country: 'RU' }));
    } catch (err) {
      setError(err);
    }
  }, [year]);
  useEffect(() => {
    void load();
  }, [load]);

  const add = async () => {
    setBusy(true);
    setFormError(null);
    setNotice(null);
    try {
      const h = await adminApi.createHoliday({
        country: 'RU',
        region: draft.region || null,
        date: draft.date,
        kind: draft.kind,
        name: draft.name,
      });
      setDraft(empty);
      setNotice(c.added);
      if (h.date.slice(0, 4) !== year) setYear(h.date.slice(0, 4));
      else await load();
    } catch (e) {
      setFormError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (h: HolidayDto) => {
    setConfirm(null);
    setNotice(null);
    try {
      await adminApi.deleteHoliday(h.id);
      setNotice(c.removed);
      await load();
    } catch (e) {
      setError(e);
    }
  };
  const locale = lang === 'ru' ? 'ru-RU' : 'en-GB';
  const weekday = (date: string) =>
    new Date(`${date}T12:00:00Z`).toLocaleDateString(locale, { weekday: 'short', timeZone: 'UTC' });
  const err = (name: string) => fieldError(formError, name);

  return (
    <div className={s.root}>
      <section className={s.addBox} aria-label={c.addDay}>
        <form
          className={s.form}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <Subtitle2 as="h3">{c.addDay}</Subtitle2>
          <div className={s.row}>
            <Field className={s.grow} label={c.date} required validationMessage={err('date')}>
              <Input
                type="date"
                value={draft.date}
                onChange={(_, d) => setDraft({ ...draft, date: d.value })}
              />
            </Field>
            <ChoiceField
              className={s.grow}
              dropdownClassName={s.dropdown}
              label={c.kind}
              required
              validationMessage={err('kind')}
              values={HOLIDAY_KINDS}
              labels={c.kinds}
              value={draft.kind}
              onChange={(kind) => setDraft({ ...draft, kind })}
            />
            <Field className={s.wide} label={c.dayName} required validationMessage={err('name')}>
              <Input value={draft.name} onChange={(_, d) => setDraft({ ...draft, name: d.value })} />
            </Field>
            <Field className={s.grow} label={c.region} validationMessage={err('region')}>
              <Dropdown
                className={s.dropdown}
                value={draft.region || c.wholeCountry}
                selectedOptions={[draft.region]}
                onOptionSelect={(_, d) => setDraft({ ...draft, region: d.optionValue ?? '' })}
              >
                <Option value="">{c.wholeCountry}</Option>
                {(data?.regions ?? []).map((r) => (
                  <Option key={r} value={r}>
                    {r}
                  </Option>
                ))}
              </Dropdown>
            </Field>
          </div>
          <FormError
            error={formError}
            fields={['date', 'kind', 'name', 'region', 'country']}
            onReload={load}
          />
          <div className={s.actions}>
            <Button type="submit" appearance="primary" disabled={busy}>
              {busy ? t.saving : c.addDay}
            </Button>
          </div>
        </form>
      </section>
      <section className={s.list} aria-label={c.tabs.holidays}>
        <div className={s.head}>
          <Field label={c.year} className={s.year}>
            <Dropdown
              className={s.dropdown}
              value={year}
              selectedOptions={[year]}
              onOptionSelect={(_, d) => setYear(d.optionValue ?? year)}
            >
              {YEARS.map((y) => (
                <Option key={y} value={y}>
                  {y}
                </Option>
              ))}
            </Dropdown>
          </Field>
        </div>
        <Caption1 className={s.muted}>{c.holidaysNote}</Caption1>
        {notice && (
          <MessageBar intent="success" role="status">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        )}
        {error !== null && <ErrorBar error={error} onRetry={() => void load()} />}
        {!data ? (
          error === null && <Spinner size="small" />
        ) : data.items.length === 0 ? (
          <Body1>{c.noDays}</Body1>
        ) : (
          <Table size="small" className={s.table} aria-label={`${c.tabs.holidays} ${year}`}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell className={s.narrow}>{c.date}</TableHeaderCell>
                <TableHeaderCell className={s.day}>{c.weekday}</TableHeaderCell>
                <TableHeaderCell className={s.narrow}>{c.kind}</TableHeaderCell>
                <TableHeaderCell>{c.dayName}</TableHeaderCell>
                <TableHeaderCell>{c.region}</TableHeaderCell>
                <TableHeaderCell className={s.action}>{''}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.items.map((h) => (
                <TableRow key={h.id}>
                  <TableCell className={s.nowrap}>{h.date}</TableCell>
                  <TableCell>{weekday(h.date)}</TableCell>
                  <TableCell>{c.kinds[h.kind]}</TableCell>
                  <TableCell className={s.wrap}>{h.name}</TableCell>
                  <TableCell>{h.region ?? c.wholeCountry}</TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      appearance="subtle"
                      icon={<Icon name="delete" />}
                      aria-label={c.removeDay(h.date)}
                      onClick={() => setConfirm(h)}
                    />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </section>
      <Dialog open={confirm !== null} onOpenChange={(_, d) => !d.open && setConfirm(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{confirm ? c.removeTitle(confirm.date) : ''}</DialogTitle>
            <DialogContent>
              <Body1>{c.removeBody}</Body1>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => confirm && void remove(confirm)}>
                {c.remove1}
              </Button>
              <Button onClick={() => setConfirm(null)}>{t.cancel}</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </div>
  );
}

// ---------------------------------------------------------------- client message templates

type TemplateKey = Pick<NotificationTemplateDto, 'event' | 'channel' | 'lang'>;

function TemplatesTab(): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const c = t.credit;
  const { data, error, reload: load } = useAdminData(() => adminApi.templates());
  const [key, setKey] = useState<TemplateKey>({ event: 'submitted', channel: 'email', lang: 'ru' });
  const [notice, setNotice] = useState<string | null>(null);

  if (!data)
    return error !== null ? <ErrorBar error={error} onRetry={() => void load()} /> : <Spinner size="small" />;
  const current = data.items.find(
    (x) => x.event === key.event && x.channel === key.channel && x.lang === key.lang,
  );
  const pick = <K extends keyof TemplateKey>(k: K, v: TemplateKey[K]) => {
    setNotice(null);
    setKey({ ...key, [k]: v });
  };

  return (
    <div className={s.layout}>
      <section className={s.list} aria-label={c.tabs.templates}>
        <Caption1 className={s.muted}>{c.templatesNote}</Caption1>
        <div className={s.row}>
          <ChoiceField
            className={s.grow}
            dropdownClassName={s.dropdown}
            label={c.event}
            values={TEMPLATE_EVENTS}
            labels={c.events}
            value={key.event}
            onChange={(v) => pick('event', v)}
          />
          <ChoiceField
            className={s.grow}
            dropdownClassName={s.dropdown}
            label={c.channel}
            values={TEMPLATE_CHANNELS}
            labels={c.channels}
            value={key.channel}
            onChange={(v) => pick('channel', v)}
          />
          <ChoiceField
            className={s.grow}
            dropdownClassName={s.dropdown}
            label={c.lang}
            values={TEMPLATE_LANGS}
            labels={c.langs}
            value={key.lang}
            onChange={(v) => pick('lang', v)}
          />
        </div>
        <Table size="small" className={s.table} aria-label={`${c.tabs.templates}: ${c.events[key.event]}`}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={s.narrow}>{c.channel}</TableHeaderCell>
              <TableHeaderCell className={s.narrow}>{c.lang}</TableHeaderCell>
              <TableHeaderCell>{c.body}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.items
              .filter((x) => x.event === key.event)
              .map((x) => (
                <TableRow
                  key={`${x.channel}/${x.lang}`}
                  className={x.channel === key.channel && x.lang === key.lang ? s.selected : undefined}
                >
                  <TableCell>
                    <Button
                      className={s.nameButton}
                      appearance="transparent"
                      size="small"
                      onClick={() => {
                        setNotice(null);
                        setKey({ event: x.event, channel: x.channel, lang: x.lang });
                      }}
                    >
                      {c.channels[x.channel]}
                    </Button>
                  </TableCell>
                  <TableCell>{c.langs[x.lang]}</TableCell>
                  <TableCell>{x.enabled ? x.body : `(${c.off}) ${x.body}`}</TableCell>
                </TableRow>
              ))}
          </TableBody>
        </Table>
      </section>
      <section className={s.panel} aria-label={c.body}>
        {notice && (
          <MessageBar intent="success" role="status">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        )}
        {current ? (
          <TemplateEditor
            key={`${current.event}/${current.channel}/${current.lang}:${current.version}`}
            template={current}
            placeholders={data.placeholders[current.event] ?? []}
            onSaved={async () => {
              await load();
              setNotice(c.templateSaved);
            }}
            onReload={() => void load()}
          />
        ) : (
          <Body1>{t.none}</Body1>
        )}
      </section>
    </div>
  );
}

function TemplateEditor({
  template,
  placeholders,
  onSaved,
  onReload,
}: {
  template: NotificationTemplateDto;
  placeholders: string[];
  onSaved: () => Promise<void>;
  onReload: () => void;
}): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const c = t.credit;
  const initial = useMemo(
    () => ({ subject: template.subject ?? '', body: template.body, enabled: template.enabled }),
    [template],
  );
  const [draft, setDraft] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<PreviewTemplateResultDto | null>(null);
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  useUnsavedChanges(dirty);
  const email = template.channel === 'email';
  const err = (name: string) => fieldError(error, name);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await adminApi.updateTemplate(template, {
        version: template.version,
        ...(email ? { subject: draft.subject } : {}),
        body: draft.body,
        enabled: draft.enabled,
      });
      await onSaved();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const show = async () => {
    setError(null);
    try {
      setPreview(
        await adminApi.previewTemplate({
          event: template.event,
          lang: template.lang,
          subject: email ? draft.subject : null,
          body: draft.body,
        }),
      );
    } catch (e) {
      setPreview(null);
      setError(e);
    }
  };

  return (
    <form
      className={s.form}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Subtitle2 as="h3">{`${c.events[template.event]} · ${c.channels[template.channel]} · ${c.langs[template.lang]}`}</Subtitle2>
      <Switch
        label={c.enabled}
        checked={draft.enabled}
        onChange={(_, d) => setDraft({ ...draft, enabled: d.checked })}
      />
      {email && (
        <Field label={c.subject} required validationMessage={err('subject')}>
          <Input value={draft.subject} onChange={(_, d) => setDraft({ ...draft, subject: d.value })} />
        </Field>
      )}
      <Field
        label={c.body}
        required
        hint={c.placeholders(placeholders.map((p) => `{{${p}}}`).join(' '))}
        validationMessage={err('body')}
      >
        <Textarea
          resize="vertical"
          rows={template.channel === 'sms' ? 3 : 6}
          value={draft.body}
          onChange={(_, d) => setDraft({ ...draft, body: d.value })}
        />
      </Field>
      {preview && (
        <section className={s.preview} aria-label={c.previewTitle}>
          <Caption1 className={s.muted}>{c.previewTitle}</Caption1>
          {preview.subject && <Body1>{preview.subject}</Body1>}
          <Body1>{preview.body}</Body1>
        </section>
      )}
      <FormError error={error} fields={['subject', 'body', 'enabled', 'version']} onReload={onReload} />
      <div className={s.actions}>
        <Button type="submit" appearance="primary" disabled={busy || !dirty}>
          {busy ? t.saving : t.save}
        </Button>
        <Button onClick={() => void show()}>{c.preview}</Button>
      </div>
    </form>
  );
}

import {
  type M365SettingsDto,
  type M365TestResultDto,
  ROLE_MAPPING_KINDS,
  ROLES,
  type Role,
} from '@crm/shared';
import {
  Badge,
  Button,
  Caption1,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Option,
  Radio,
  RadioGroup,
  Spinner,
  Subtitle2,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { type JSX, type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { adminApi } from './admin-api.ts';
import { useAdminText } from './admin-i18n.ts';
import { adminStyles } from './admin-styles.ts';
import { ChoiceField, FormError, fieldError, useAdminData, useUnsavedChanges } from './form.tsx';

// The Microsoft 365 section: the Graph connection (secrets only as environment variable names, shown as
// set / not set), a connection test that shows the service's own error, the sync's health, and the mapping
// of Entra app roles / groups to CRM roles.

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '980px' },
  panel: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
    minWidth: 0,
  },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(260px, 1fr))',
    gap: tokens.spacingVerticalM,
    columnGap: tokens.spacingHorizontalL,
  },
  // Controls with hints of different lengths: aligned at the top; the button drops by one label line.
  row: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'flex-start', flexWrap: 'wrap' },
  afterLabel: { marginTop: `calc(${tokens.lineHeightBase300} + ${tokens.spacingVerticalXXS})` },
  // Wrapped text (long reasons, names at 200% zoom) grows the row instead of overflowing it.
  cell: { height: 'auto', paddingBlock: tokens.spacingVerticalXS, overflowWrap: 'anywhere' },
  grow: { flexGrow: 1, flexBasis: '220px', minWidth: 0 },
  head: adminStyles.head,
  muted: adminStyles.muted,
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  scroll: adminStyles.scroll,
  table: { backgroundColor: tokens.colorNeutralBackground1, minWidth: '420px' },
  counts: { display: 'flex', gap: tokens.spacingHorizontalXL, flexWrap: 'wrap' },
  count: { display: 'flex', flexDirection: 'column' },
  mono: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  secret: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
});

/** The form's fields as typed (strings; null-able fields as '' until sent). */
type Draft = {
  tenantId: string;
  clientId: string;
  credentialKind: 'secret' | 'certificate';
  secretEnvName: string;
  certificateThumbprint: string;
  certificateKeyEnvName: string;
  graphBaseUrl: string;
  authorityHost: string;
  serviceMailbox: string;
  mailboxConcurrency: number;
  enabled: boolean;
};

const draftOf = (s: M365SettingsDto): Draft => ({
  tenantId: s.tenantId,
  clientId: s.clientId,
  credentialKind: s.credentialKind,
  secretEnvName: s.secret.envName ?? '',
  certificateThumbprint: s.certificateThumbprint ?? '',
  certificateKeyEnvName: s.certificateKey.envName ?? '',
  graphBaseUrl: s.graphBaseUrl,
  authorityHost: s.authorityHost,
  serviceMailbox: s.serviceMailbox ?? '',
  mailboxConcurrency: s.mailboxConcurrency,
  enabled: s.enabled,
});

const orNull = (v: string) => (v.trim() === '' ? null : v.trim());

function useDateTime(): (iso: string) => string {
  const { lang } = useI18n();
  return useMemo(() => {
    const f = new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
    });
    return (iso: string) => f.format(new Date(iso));
  }, [lang]);
}

/** Microsoft 365: connection, test, health, Entra role mapping. */
export default function M365Section(): JSX.Element {
  const s = useStyles();
  return (
    <div className={s.root}>
      <ConnectionPanel />
      <HealthPanel />
      <RoleMappingsPanel />
    </div>
  );
}

/** "set" / "not set" for a write-only secret reference, as the server's environment has it. */
function SecretBadge({ set }: { set: boolean }): JSX.Element {
  const t = useAdminText();
  return (
    <Badge appearance="tint" color={set ? 'success' : 'warning'}>
      {set ? t.m365SecretSet : t.m365SecretNotSet}
    </Badge>
  );
}

function ConnectionPanel(): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const when = useDateTime();
  const [settings, setSettings] = useState<M365SettingsDto | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoadError(null);
    setError(null);
    try {
      const x = await adminApi.m365();
      setSettings(x);
      setDraft(draftOf(x));
    } catch (err) {
      setLoadError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const dirty = useMemo(
    () => settings !== null && draft !== null && JSON.stringify(draftOf(settings)) !== JSON.stringify(draft),
    [settings, draft],
  );
  useUnsavedChanges(dirty);

  if (!settings || !draft)
    return (
      <section className={s.panel} aria-label={t.m365Connection}>
        {loadError !== null ? (
          <ErrorBar error={loadError} onRetry={() => void load()} />
        ) : (
          <Spinner size="small" />
        )}
      </section>
    );

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setNotice(null);
    setDraft((d) => (d ? { ...d, [k]: v } : d));
  };
  const err = (name: string) => fieldError(error, name);
  const save = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const secret = draft.credentialKind === 'secret';
      const next = await adminApi.saveM365({
        version: settings.version,
        tenantId: draft.tenantId.trim(),
        clientId: draft.clientId.trim(),
        credentialKind: draft.credentialKind,
        secretEnvName: secret ? orNull(draft.secretEnvName) : null,
        certificateThumbprint: secret ? null : orNull(draft.certificateThumbprint),
        certificateKeyEnvName: secret ? null : orNull(draft.certificateKeyEnvName),
        graphBaseUrl: draft.graphBaseUrl.trim(),
        authorityHost: draft.authorityHost.trim(),
        serviceMailbox: orNull(draft.serviceMailbox),
        mailboxConcurrency: draft.mailboxConcurrency,
        enabled: draft.enabled,
      });
      setSettings(next);
      setDraft(draftOf(next));
      setNotice(t.saved);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  // The saved reference's state applies only while the field still names the saved variable.
  const secretState =
    settings.secret.envName && settings.secret.envName === draft.secretEnvName.trim()
      ? settings.secret
      : null;
  const keyState =
    settings.certificateKey.envName && settings.certificateKey.envName === draft.certificateKeyEnvName.trim()
      ? settings.certificateKey
      : null;
  const fields = [
    'tenantId',
    'clientId',
    'credentialKind',
    'secretEnvName',
    'certificateThumbprint',
    'certificateKeyEnvName',
    'graphBaseUrl',
    'authorityHost',
    'serviceMailbox',
    'mailboxConcurrency',
    'enabled',
  ];

  return (
    <section className={s.panel} aria-labelledby="m365-connection">
      <div className={s.head}>
        <Subtitle2 as="h3" id="m365-connection">
          {t.m365Connection}
        </Subtitle2>
        <Badge
          appearance="outline"
          color={settings.effectiveSource === 'none' ? 'warning' : 'brand'}
          data-testid="m365-source"
        >
          {t.m365Sources[settings.effectiveSource]}
        </Badge>
      </div>
      <Caption1 className={s.muted}>{t.m365Intro}</Caption1>
      {settings.effectiveProblem && (
        <MessageBar intent="warning" layout="multiline" data-testid="m365-problem">
          <MessageBarBody>
            <MessageBarTitle>{t.m365ProblemTitle}</MessageBarTitle>
            {t.m365Problem(settings.effectiveProblem)}
          </MessageBarBody>
        </MessageBar>
      )}
      <form
        className={s.form}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className={s.grid}>
          <Field label={t.m365TenantId} hint={t.m365GuidHint} required validationMessage={err('tenantId')}>
            <Input className={s.mono} value={draft.tenantId} onChange={(_, d) => set('tenantId', d.value)} />
          </Field>
          <Field label={t.m365ClientId} hint={t.m365GuidHint} required validationMessage={err('clientId')}>
            <Input className={s.mono} value={draft.clientId} onChange={(_, d) => set('clientId', d.value)} />
          </Field>
        </div>
        <Field label={t.m365Credential} validationMessage={err('credentialKind')}>
          <RadioGroup
            layout="horizontal"
            value={draft.credentialKind}
            onChange={(_, d) => set('credentialKind', d.value as Draft['credentialKind'])}
          >
            <Radio value="secret" label={t.m365CredentialKinds.secret} />
            <Radio value="certificate" label={t.m365CredentialKinds.certificate} />
          </RadioGroup>
        </Field>
        {draft.credentialKind === 'secret' ? (
          <Field
            label={t.m365SecretEnv}
            hint={secretState ? t.m365SecretState(secretState.envName ?? '', secretState.set) : t.m365EnvHint}
            required
            validationMessage={err('secretEnvName')}
          >
            <div className={s.secret}>
              <Input
                className={s.grow}
                value={draft.secretEnvName}
                placeholder="CRM_GRAPH_CLIENT_SECRET"
                onChange={(_, d) => set('secretEnvName', d.value)}
              />
              {secretState && <SecretBadge set={secretState.set} />}
            </div>
          </Field>
        ) : (
          <div className={s.grid}>
            <Field
              label={t.m365Thumbprint}
              hint={t.m365ThumbprintHint}
              required
              validationMessage={err('certificateThumbprint')}
            >
              <Input
                className={s.mono}
                value={draft.certificateThumbprint}
                onChange={(_, d) => set('certificateThumbprint', d.value)}
              />
            </Field>
            <Field
              label={t.m365KeyEnv}
              hint={keyState ? t.m365SecretState(keyState.envName ?? '', keyState.set) : t.m365EnvHint}
              required
              validationMessage={err('certificateKeyEnvName')}
            >
              <div className={s.secret}>
                <Input
                  className={s.grow}
                  value={draft.certificateKeyEnvName}
                  placeholder="CRM_GRAPH_CERT_KEY"
                  onChange={(_, d) => set('certificateKeyEnvName', d.value)}
                />
                {keyState && <SecretBadge set={keyState.set} />}
              </div>
            </Field>
          </div>
        )}
        <div className={s.grid}>
          <Field
            label={t.m365GraphBaseUrl}
            hint={t.m365UrlHint}
            required
            validationMessage={err('graphBaseUrl')}
          >
            <Input value={draft.graphBaseUrl} onChange={(_, d) => set('graphBaseUrl', d.value)} />
          </Field>
          <Field
            label={t.m365AuthorityHost}
            hint={t.m365UrlHint}
            required
            validationMessage={err('authorityHost')}
          >
            <Input value={draft.authorityHost} onChange={(_, d) => set('authorityHost', d.value)} />
          </Field>
          <Field
            label={t.m365ServiceMailbox}
            hint={t.m365ServiceMailboxHint}
            validationMessage={err('serviceMailbox')}
          >
            <Input
              type="email"
              value={draft.serviceMailbox}
              onChange={(_, d) => set('serviceMailbox', d.value)}
            />
          </Field>
          <Field
            label={t.m365Concurrency}
            hint={t.m365ConcurrencyHint}
            validationMessage={err('mailboxConcurrency')}
          >
            <Dropdown
              value={String(draft.mailboxConcurrency)}
              selectedOptions={[String(draft.mailboxConcurrency)]}
              onOptionSelect={(_, d) => set('mailboxConcurrency', Number(d.optionValue ?? 4))}
            >
              {[1, 2, 3, 4].map((n) => (
                <Option key={n} value={String(n)}>
                  {String(n)}
                </Option>
              ))}
            </Dropdown>
          </Field>
        </div>
        <Field validationMessage={err('enabled')}>
          <Switch
            label={t.m365Enabled}
            checked={draft.enabled}
            onChange={(_, d) => set('enabled', d.checked)}
          />
        </Field>
        <FormError error={error} fields={[...fields, 'version']} onReload={() => void load()} />
        {notice && (
          <MessageBar intent="success">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        )}
        <div className={s.actions}>
          <Button
            type="submit"
            appearance="primary"
            disabledFocusable={busy || (!dirty && settings.version > 0)}
          >
            {busy ? t.saving : t.save}
          </Button>
          <Button disabled={busy || !dirty} onClick={() => setDraft(draftOf(settings))}>
            {t.cancel}
          </Button>
          {settings.updatedAt && settings.updatedBy && (
            <Caption1 className={s.muted}>
              {t.m365UpdatedBy(settings.updatedBy.name, when(settings.updatedAt))}
            </Caption1>
          )}
        </div>
      </form>
      <TestConnection dirty={dirty} />
    </section>
  );
}

function TestConnection({ dirty }: { dirty: boolean }): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const [mailbox, setMailbox] = useState('');
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<M365TestResultDto | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setTesting(true);
    setResult(null);
    setError(null);
    try {
      setResult(await adminApi.testM365(mailbox.trim()));
    } catch (e) {
      setError(e);
    } finally {
      setTesting(false);
    }
  };
  return (
    <form
      className={s.form}
      aria-label={t.m365Test}
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <div className={s.row}>
        <Field
          className={s.grow}
          label={t.m365TestMailbox}
          hint={dirty ? t.m365TestSaveFirst : t.m365TestHint}
          required
          validationMessage={fieldError(error, 'mailbox')}
        >
          <Input type="email" value={mailbox} onChange={(_, d) => setMailbox(d.value)} />
        </Field>
        <Button
          type="submit"
          className={s.afterLabel}
          disabledFocusable={testing || dirty || mailbox.trim() === ''}
          icon={testing ? <Spinner size="tiny" /> : undefined}
        >
          {testing ? t.m365Testing : t.m365Test}
        </Button>
      </div>
      {error !== null && !fieldError(error, 'mailbox') && <ErrorBar error={error} />}
      {result && (
        <MessageBar
          intent={result.ok ? 'success' : 'error'}
          layout="multiline"
          role={result.ok ? 'status' : 'alert'}
          data-testid="m365-test-result"
        >
          <MessageBarBody>
            <MessageBarTitle>
              {result.ok ? t.m365TestOk : t.m365TestFailed}
              {result.stage ? ` · ${t.m365Stages[result.stage]}` : ''}
            </MessageBarTitle>
            <span className={s.mono}>
              {result.code && !result.message.includes(result.code) ? `${result.code}: ` : ''}
              {result.message}
            </span>
            <Caption1 className={s.muted}>{` · ${result.elapsedMs} ms`}</Caption1>
          </MessageBarBody>
        </MessageBar>
      )}
    </form>
  );
}

function SimpleTable({
  label,
  columns,
  rows,
  empty,
}: {
  label: string;
  columns: string[];
  rows: ReactNode[][];
  empty: string;
}): JSX.Element {
  const s = useStyles();
  if (rows.length === 0) return <Caption1 className={s.muted}>{empty}</Caption1>;
  return (
    <div className={s.scroll}>
      <Table size="small" aria-label={label} className={s.table}>
        <TableHeader>
          <TableRow>
            {columns.map((c) => (
              <TableHeaderCell key={c}>{c}</TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are rebuilt whole on each refresh
            <TableRow key={i}>
              {r.map((cell, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: fixed columns
                <TableCell key={j} className={s.cell}>
                  {cell}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function HealthPanel(): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const when = useDateTime();
  const { data: health, error, loading, reload: load } = useAdminData(() => adminApi.m365Health());
  const expiryColor = { expired: 'danger', expiring: 'warning', ok: 'success' } as const;

  return (
    <section className={s.panel} aria-labelledby="m365-health">
      <div className={s.head}>
        <Subtitle2 as="h3" id="m365-health">
          {t.m365Health}
        </Subtitle2>
        <Button size="small" onClick={() => void load()} disabled={loading}>
          {t.m365Refresh}
        </Button>
        {loading && <Spinner size="tiny" />}
        {health && <Caption1 className={s.muted}>{t.m365CheckedAt(when(health.checkedAt))}</Caption1>}
      </div>
      {error !== null && <ErrorBar error={error} onRetry={() => void load()} />}
      {!health ? (
        error === null && <Spinner size="small" />
      ) : (
        <>
          <div className={s.counts}>
            <div className={s.count}>
              <Caption1 className={s.muted}>{t.m365LastSync}</Caption1>
              <Text weight="semibold">{health.lastSyncedAt ? when(health.lastSyncedAt) : t.m365Never}</Text>
            </div>
            <div className={s.count}>
              <Caption1 className={s.muted}>{t.m365Subscriptions}</Caption1>
              <Text weight="semibold">
                {t.m365SubsSummary(
                  health.subscriptions.length,
                  health.subscriptionsExpired,
                  health.subscriptionsExpiringSoon,
                )}
              </Text>
            </div>
            <div className={s.count}>
              <Caption1 className={s.muted}>{t.m365NotSyncable}</Caption1>
              <Text weight="semibold">{health.notSyncable.length}</Text>
            </div>
          </div>
          <Subtitle2 as="h4">{t.m365Queue}</Subtitle2>
          <SimpleTable
            label={t.m365Queue}
            columns={[t.m365Task, t.m365Pending, t.m365Retrying, t.m365Failed]}
            rows={health.queue.map((q) => [
              <span key="t" className={s.mono}>
                {q.task}
              </span>,
              q.pending,
              q.retrying,
              q.failed,
            ])}
            empty={t.m365QueueEmpty}
          />
          <Subtitle2 as="h4">{t.m365Failures}</Subtitle2>
          <SimpleTable
            label={t.m365Failures}
            columns={[t.m365State, t.m365Reason, t.m365Count]}
            rows={health.failures.map((f) => [
              f.state,
              <span key="r" className={s.mono}>
                {f.reason}
              </span>,
              f.count,
            ])}
            empty={t.m365NoFailures}
          />
          <Subtitle2 as="h4">{t.m365NotSyncable}</Subtitle2>
          <SimpleTable
            label={t.m365NotSyncable}
            columns={[t.name, t.m365Mailbox, t.m365Reason, t.m365Since]}
            rows={health.notSyncable.map((m) => [m.name, m.mailbox, m.reason ?? t.none, when(m.since)])}
            empty={t.m365NoneParked}
          />
          <Subtitle2 as="h4">{t.m365Subscriptions}</Subtitle2>
          <SimpleTable
            label={t.m365Subscriptions}
            columns={[t.m365Mailbox, t.m365Expires, t.m365State]}
            rows={health.subscriptions.map((x) => [
              x.mailbox,
              when(x.expiresAt),
              <Badge key="e" appearance="tint" color={expiryColor[x.expiry]}>
                {t.m365Expiry[x.expiry]}
              </Badge>,
            ])}
            empty={t.m365NoSubscriptions}
          />
        </>
      )}
    </section>
  );
}

function RoleMappingsPanel(): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const { t: common } = useI18n();
  const { data: list, error: loadError, reload: load } = useAdminData(() => adminApi.roleMappings());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [kind, setKind] = useState<(typeof ROLE_MAPPING_KINDS)[number]>('app_role');
  const [value, setValue] = useState('');
  const [role, setRole] = useState<Role>('relationship_manager');
  useUnsavedChanges(value.trim() !== '');

  const add = async () => {
    setBusy(true);
    setError(null);
    try {
      await adminApi.createRoleMapping({ kind, value: value.trim(), role });
      setValue('');
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (id: string) => {
    setBusy(true);
    setError(null);
    try {
      await adminApi.deleteRoleMapping(id);
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className={s.panel} aria-labelledby="m365-mappings">
      <Subtitle2 as="h3" id="m365-mappings">
        {t.m365Mappings}
      </Subtitle2>
      <Caption1 className={s.muted}>{t.m365MappingsNote}</Caption1>
      {!list ? (
        loadError !== null ? (
          <ErrorBar error={loadError} onRetry={() => void load()} />
        ) : (
          <Spinner size="small" />
        )
      ) : (
        <>
          {list.items.length === 0 && list.envFallback.length > 0 && (
            <MessageBar intent="info">
              <MessageBarBody>
                {t.m365MappingsEnv(
                  list.envFallback.map((m) => `${m.claim} → ${common.userRoles[m.role]}`).join(', '),
                )}
              </MessageBarBody>
            </MessageBar>
          )}
          <SimpleTable
            label={t.m365Mappings}
            columns={[t.m365Kind, t.m365Value, t.m365CrmRole, '']}
            rows={list.items.map((m) => [
              t.m365Kinds[m.kind],
              <span key="v" className={s.mono}>
                {m.value}
              </span>,
              common.userRoles[m.role],
              <Button
                key="x"
                size="small"
                appearance="subtle"
                disabled={busy}
                aria-label={t.m365RemoveLabel(m.value)}
                onClick={() => void remove(m.id)}
              >
                {t.m365Remove}
              </Button>,
            ])}
            empty={t.m365NoMappings}
          />
          <form
            className={s.row}
            onSubmit={(e) => {
              e.preventDefault();
              void add();
            }}
          >
            <ChoiceField
              label={t.m365Kind}
              validationMessage={fieldError(error, 'kind')}
              values={ROLE_MAPPING_KINDS}
              labels={t.m365Kinds}
              value={kind}
              onChange={setKind}
            />
            <Field
              className={s.grow}
              label={t.m365Value}
              hint={t.m365ValueHint}
              required
              validationMessage={fieldError(error, 'value')}
            >
              <Input className={s.mono} value={value} onChange={(_, d) => setValue(d.value)} />
            </Field>
            <ChoiceField
              label={t.m365CrmRole}
              validationMessage={fieldError(error, 'role')}
              values={ROLES}
              labels={common.userRoles}
              value={role}
              onChange={setRole}
            />
            <Button
              type="submit"
              appearance="primary"
              className={s.afterLabel}
              disabledFocusable={busy || value.trim() === ''}
            >
              {t.m365Add}
            </Button>
          </form>
          <FormError error={error} fields={['kind', 'value', 'role']} onReload={() => void load()} />
        </>
      )}
    </section>
  );
}

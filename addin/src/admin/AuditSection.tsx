import type { AdminUserDto, AuditEventDto, AuditEventsQueryDto } from '@crm/shared';
import {
  Badge,
  Button,
  Caption1,
  Dropdown,
  Field,
  Input,
  makeStyles,
  Option,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from '@fluentui/react-components';
import { type JSX, useCallback, useEffect, useState } from 'react';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { adminApi } from './admin-api.ts';
import { useAdminText } from './admin-i18n.ts';
import { adminStyles } from './admin-styles.ts';
import { Breakable, fieldError } from './form.tsx';

const useStyles = makeStyles({
  root: adminStyles.root,
  filters: adminStyles.filters,
  filter: { minWidth: '150px' },
  wide: { minWidth: '300px' },
  table: adminStyles.table,
  details: { fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  detailsColumn: { width: '32%' },
  // Short values stay on one line when there is room; at high zoom they wrap (at `.`/`_` for actions).
  oneLine: { '@media (min-width: 1024px)': { whiteSpace: 'nowrap' } },
  // Room for a whole action name (`<wbr>` still lets it wrap at `.`/`_`, so `nowrap` alone would not do).
  actionColumn: { '@media (min-width: 1024px)': { width: '14em' } },
  muted: adminStyles.muted,
});

type Filters = { userId: string; clientId: string; action: string; from: string; to: string };
const EMPTY: Filters = { userId: '', clientId: '', action: '', from: '', to: '' };

/** A day of the local calendar to the instant the API takes: `from` at its start, `to` at the next day's. */
function toQuery(f: Filters): Omit<AuditEventsQueryDto, 'limit' | 'cursor'> {
  const day = (d: string, plus = 0) => {
    const x = new Date(`${d}T00:00:00`);
    x.setDate(x.getDate() + plus);
    return x.toISOString();
  };
  return {
    ...(f.userId ? { userId: f.userId } : {}),
    ...(f.clientId.trim() ? { clientId: f.clientId.trim().toLowerCase() } : {}),
    ...(f.action.trim() ? { action: f.action.trim() } : {}),
    ...(f.from ? { from: day(f.from) } : {}),
    ...(f.to ? { to: day(f.to, 1) } : {}),
  };
}

/** A short reading of a value in the details column (ids and long lists shortened; the CSV has them whole). */
function short(v: unknown): string {
  if (Array.isArray(v) && v.length > 2) return `[${v.length}]`;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** `field: before → after` for changes, `key: value` for the rest. */
function summary(details: Record<string, unknown>): string {
  const parts: string[] = [];
  const changes = details.changes as Record<string, { from: unknown; to: unknown }> | undefined;
  if (changes && typeof changes === 'object')
    for (const [k, c] of Object.entries(changes)) parts.push(`${k}: ${short(c?.from)} → ${short(c?.to)}`);
  for (const [k, v] of Object.entries(details))
    if (k !== 'changes' && k !== 'fields') parts.push(`${k}: ${short(v)}`);
  return parts.join('; ');
}

function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The audit log: filters (user, client, action, period), newest first by pages, CSV export of the filter. */
export default function AuditSection(): JSX.Element {
  const s = useStyles();
  const t = useAdminText();
  const { t: common, lang } = useI18n();
  const [users, setUsers] = useState<AdminUserDto[]>([]);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [items, setItems] = useState<AuditEventDto[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [exporting, setExporting] = useState(false);

  useEffect(() => {
    adminApi.users({ limit: 500 }).then((p) => setUsers(p.items), setError);
  }, []);
  const names = new Map(users.map((u) => [u.id, u.name]));

  const fetchPage = useCallback(async (f: Filters, after: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const page = await adminApi.auditEvents({
        ...toQuery(f),
        limit: 50,
        ...(after ? { cursor: after } : {}),
      });
      setItems((prev) => (after && prev ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, []);
  useEffect(() => {
    void fetchPage(EMPTY, null);
  }, [fetchPage]);

  const exportCsv = async () => {
    setExporting(true);
    setError(null);
    try {
      saveBlob(
        await adminApi.auditCsv(toQuery(applied)),
        `audit-${new Date().toISOString().slice(0, 10)}.csv`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setExporting(false);
    }
  };
  const set = (k: keyof Filters, v: string) => setFilters((f) => ({ ...f, [k]: v }));
  // As dates read everywhere else (`30 Nov 2026`), with seconds: an audit trail orders events within a minute.
  const fmt = new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });

  return (
    <div className={s.root}>
      <form
        className={s.filters}
        aria-label={t.auditFilters}
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filters);
          void fetchPage(filters, null);
        }}
      >
        <Field label={t.auditUser} className={s.filter}>
          <Dropdown
            value={filters.userId ? (names.get(filters.userId) ?? '') : t.anyUser}
            selectedOptions={[filters.userId]}
            onOptionSelect={(_, d) => set('userId', d.optionValue ?? '')}
          >
            <Option value="">{t.anyUser}</Option>
            {users.map((u) => (
              <Option key={u.id} value={u.id}>
                {u.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label={t.clientId} className={s.wide} validationMessage={fieldError(error, 'clientId')}>
          <Input value={filters.clientId} onChange={(_, d) => set('clientId', d.value)} />
        </Field>
        <Field label={t.action} className={s.filter} validationMessage={fieldError(error, 'action')}>
          <Input
            value={filters.action}
            placeholder={t.actionHint}
            onChange={(_, d) => set('action', d.value)}
          />
        </Field>
        <Field label={t.from} className={s.filter}>
          <Input type="date" value={filters.from} onChange={(_, d) => set('from', d.value)} />
        </Field>
        <Field label={t.to} className={s.filter}>
          <Input type="date" value={filters.to} onChange={(_, d) => set('to', d.value)} />
        </Field>
        <Button type="submit" appearance="primary" disabled={busy}>
          {t.apply}
        </Button>
        <Button onClick={() => void exportCsv()} disabled={exporting}>
          {exporting ? t.exporting : t.exportCsv}
        </Button>
      </form>
      <Caption1 className={s.muted}>{t.auditNote}</Caption1>
      {error !== null && !fieldError(error, 'clientId') && !fieldError(error, 'action') && (
        <ErrorBar error={error} />
      )}
      {items === null && busy && <Spinner size="small" />}
      {items && items.length === 0 && <Caption1>{t.noEvents}</Caption1>}
      {items && items.length > 0 && (
        <Table size="small" className={s.table} aria-label={t.sections.audit}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t.at}</TableHeaderCell>
              <TableHeaderCell>{t.auditUser}</TableHeaderCell>
              <TableHeaderCell className={s.actionColumn}>{t.action}</TableHeaderCell>
              <TableHeaderCell>{t.result}</TableHeaderCell>
              <TableHeaderCell>{t.entity}</TableHeaderCell>
              <TableHeaderCell>{t.channel}</TableHeaderCell>
              <TableHeaderCell className={s.detailsColumn}>{t.details}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((e) => (
              <TableRow key={e.id}>
                <TableCell className={s.oneLine}>{fmt.format(new Date(e.at))}</TableCell>
                <TableCell>
                  {e.actorId ? (names.get(e.actorId) ?? e.actorId.slice(0, 8)) : t.none}
                  {e.actorRole && (
                    <Caption1 className={s.muted}>
                      {` · ${common.userRoles[e.actorRole as keyof typeof common.userRoles] ?? e.actorRole}`}
                    </Caption1>
                  )}
                </TableCell>
                <TableCell>
                  <Breakable text={e.action} />
                </TableCell>
                <TableCell>
                  <Badge
                    appearance="tint"
                    color={e.result === 'ok' ? 'success' : e.result === 'denied' ? 'warning' : 'danger'}
                  >
                    {e.result}
                  </Badge>
                </TableCell>
                <TableCell>
                  {e.entity ? (
                    <Breakable
                      text={`${e.entity} ${names.get(e.entityId ?? '') ?? (e.entityId ?? '').slice(0, 8)}`}
                    />
                  ) : (
                    t.none
                  )}
                  {e.clientIds.length > 0 && (
                    <Caption1 className={s.muted}>{` · ${t.clients}: ${e.clientIds.length}`}</Caption1>
                  )}
                </TableCell>
                <TableCell className={s.oneLine}>{e.channel ?? t.none}</TableCell>
                <TableCell className={s.details} title={JSON.stringify(e.details)}>
                  <Breakable text={summary(e.details)} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {cursor && (
        <Button onClick={() => void fetchPage(applied, cursor)} disabled={busy}>
          {t.loadMore}
        </Button>
      )}
    </div>
  );
}

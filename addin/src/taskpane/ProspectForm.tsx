import type {
  CandidatesDto,
  CLIENT_KINDS,
  CreateProspectRequestDto,
  DuplicateCandidateDto,
  ResolvedParticipantDto,
} from '@crm/shared';
import {
  Body1Strong,
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  tokens,
} from '@fluentui/react-components';
import { type FormEvent, type JSX, useEffect, useState } from 'react';
import { ApiError } from '../api/api-error.ts';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { usePaneFormStyles } from './pane-form-styles.ts';
import { ClientRow, LinkButton, type useLinkAddress } from './UnknownParticipant.tsx';
import { useCardScope } from './use-pane-view.ts';

type ClientKindDto = (typeof CLIENT_KINDS)[number];

const useStyles = makeStyles({
  list: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  muted: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
});

type Draft = {
  kind: ClientKindDto;
  lastName: string;
  firstName: string;
  middleName: string;
  fullName: string;
  inn: string;
  /** '' = not chosen: the server writes by citizenship. */
  language: '' | 'ru' | 'en';
};

type Check = { kind: 'loading' } | { kind: 'ready'; data: CandidatesDto } | { kind: 'error'; error: unknown };

/**
 * 409 DUPLICATE_SUSPECTED: exact matches by email the user must look at before creating (and may confirm
 * away: shared mailboxes exist). 409 INN_EXISTS: one INN is one taxpayer, so no "new client anyway"; the
 * answer names whom to ask when the existing client is hidden from this user.
 */
type Duplicate = {
  candidates: DuplicateCandidateDto[];
  hiddenMatches: number;
  innExists: boolean;
  ask: { name: string } | null;
};

function duplicateOf(err: unknown): Duplicate | null {
  if (!(err instanceof ApiError) || (err.code !== 'DUPLICATE_SUSPECTED' && err.code !== 'INN_EXISTS'))
    return null;
  const candidates = Array.isArray(err.body.candidates)
    ? (err.body.candidates as DuplicateCandidateDto[])
    : [];
  const hiddenMatches = typeof err.body.hiddenMatches === 'number' ? err.body.hiddenMatches : 0;
  const ask =
    err.body.ask && typeof (err.body.ask as { name?: unknown }).name === 'string'
      ? (err.body.ask as { name: string })
      : null;
  return { candidates, hiddenMatches, innExists: err.code === 'INN_EXISTS', ask };
}

const innOk = (kind: ClientKindDto, inn: string) =>
  kind === 'legal_entity' ? /^\d{10}$/.test(inn) : inn === '' || /^\d{12}$/.test(inn);

/**
 * "Create prospect" for an unknown sender: the duplicate check runs first (GET /prospects/candidates) and
 * its candidates come before the form, which is prefilled from the parsed display name. A 409 shows the
 * exact matches with "It's a new client anyway" (confirmNotDuplicate). Afterwards the item is resolved again.
 */
export function ProspectForm({
  p,
  linker,
  onCancel,
}: {
  p: ResolvedParticipantDto;
  linker: ReturnType<typeof useLinkAddress>;
  onCancel: () => void;
}): JSX.Element {
  const s = useStyles();
  const f = usePaneFormStyles();
  const { t } = useI18n();
  const scope = useCardScope();
  const email = p.addressKind === 'smtp' ? p.emailAddress : '';
  const [check, setCheck] = useState<Check>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [draft, setDraft] = useState<Draft>({
    kind: 'individual',
    lastName: '',
    firstName: '',
    middleName: '',
    fullName: '',
    inn: '',
    language: '',
  });
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [duplicate, setDuplicate] = useState<Duplicate | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt is the explicit retry trigger
  useEffect(() => {
    const ac = new AbortController();
    setCheck({ kind: 'loading' });
    crmApi.prospectCandidates({ email, displayName: p.displayName.trim() }, ac.signal).then(
      (data) => {
        setCheck({ kind: 'ready', data });
        setDraft((d) => ({
          ...d,
          lastName: d.lastName || data.parsedName?.lastName || '',
          firstName: d.firstName || data.parsedName?.firstName || '',
          middleName: d.middleName || data.parsedName?.middleName || '',
          fullName: d.fullName || data.company?.nameHint || '',
        }));
      },
      (err) => !ac.signal.aborted && setCheck({ kind: 'error', error: err }),
    );
    return () => ac.abort();
  }, [email, p.displayName, attempt]);

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const individual = draft.kind === 'individual';
  const inn = draft.inn.trim();
  const missing = individual
    ? { lastName: !draft.lastName.trim(), firstName: !draft.firstName.trim(), fullName: false }
    : { lastName: false, firstName: false, fullName: !draft.fullName.trim() };
  const valid = !missing.lastName && !missing.firstName && !missing.fullName && innOk(draft.kind, inn);

  const create = async (confirmNotDuplicate: boolean) => {
    setTouched(true);
    if (!valid || saving) return;
    setSaving(true);
    setError(null);
    const body: CreateProspectRequestDto = individual
      ? {
          kind: 'individual',
          lastName: draft.lastName.trim(),
          firstName: draft.firstName.trim(),
          middleName: draft.middleName.trim() || null,
        }
      : { kind: 'legal_entity', fullName: draft.fullName.trim() };
    if (inn) body.inn = inn;
    if (email) body.email = email;
    if (draft.language) body.preferredLanguage = draft.language;
    if (confirmNotDuplicate) body.confirmNotDuplicate = true;
    try {
      await crmApi.createProspect(body);
      scope.reload(); // the sender now resolves to the new prospect's card
    } catch (err) {
      const dup = duplicateOf(err);
      if (dup) setDuplicate(dup);
      else setError(err);
      setSaving(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create(false);
  };

  const candidates = duplicate?.candidates ?? (check.kind === 'ready' ? check.data.candidates : []);
  const hidden = duplicate?.hiddenMatches ?? (check.kind === 'ready' ? check.data.hiddenMatches : 0);
  const company = check.kind === 'ready' ? check.data.company : null;
  return (
    <form className={f.form} onSubmit={submit} aria-label={t.prospectTitle}>
      <Body1Strong as="h3">{t.prospectTitle}</Body1Strong>
      {check.kind === 'loading' && <Spinner size="tiny" label={t.checkingDuplicates} />}
      {check.kind === 'error' && <ErrorBar error={check.error} onRetry={() => setAttempt((n) => n + 1)} />}
      {duplicate && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            {duplicate.innExists
              ? duplicate.candidates.length > 0
                ? t.innExistsVisible
                : t.innExistsHidden(duplicate.ask?.name ?? null)
              : t.duplicateFound}
          </MessageBarBody>
        </MessageBar>
      )}
      {candidates.length > 0 && (
        <section aria-label={t.prospectMatches}>
          <Caption1 className={s.muted}>{t.prospectMatches}</Caption1>
          <ul className={s.list}>
            {candidates.map((c) => (
              <ClientRow
                key={c.client.id}
                c={c.client}
                extra={c.reasons.map((r) => t.matchReasons[r]).join(', ')}
                action={<LinkButton c={c.client} linker={linker} />}
              />
            ))}
          </ul>
        </section>
      )}
      {hidden > 0 && <Caption1 className={s.muted}>{t.hiddenMatches(hidden)}</Caption1>}
      <Field label={t.prospectKind}>
        <RadioGroup
          layout="horizontal"
          value={draft.kind}
          onChange={(_, d) => set({ kind: d.value as ClientKindDto })}
        >
          <Radio value="individual" label={t.kinds.individual} />
          <Radio value="legal_entity" label={t.kinds.legal_entity} />
        </RadioGroup>
      </Field>
      {individual ? (
        <>
          <Field
            label={t.lastName}
            required
            validationMessage={touched && missing.lastName ? t.required : undefined}
          >
            <Input value={draft.lastName} onChange={(_, d) => set({ lastName: d.value })} />
          </Field>
          <Field
            label={t.firstName}
            required
            validationMessage={touched && missing.firstName ? t.required : undefined}
          >
            <Input value={draft.firstName} onChange={(_, d) => set({ firstName: d.value })} />
          </Field>
          <Field label={t.middleName}>
            <Input value={draft.middleName} onChange={(_, d) => set({ middleName: d.value })} />
          </Field>
        </>
      ) : (
        <Field
          label={t.companyName}
          required
          hint={company?.nameHint ? t.companyHint(company.nameHint) : undefined}
          validationMessage={touched && missing.fullName ? t.required : undefined}
        >
          <Input value={draft.fullName} onChange={(_, d) => set({ fullName: d.value })} />
        </Field>
      )}
      <Field
        label={t.inn}
        required={!individual}
        validationMessage={touched && !innOk(draft.kind, inn) ? t.innInvalid : undefined}
      >
        <Input inputMode="numeric" value={draft.inn} onChange={(_, d) => set({ inn: d.value })} />
      </Field>
      {email && (
        <Field label={t.email}>
          <Input value={email} readOnly />
        </Field>
      )}
      <Field label={t.clientLanguage} hint={t.prospectLanguageHint}>
        <Select value={draft.language} onChange={(_, d) => set({ language: d.value as Draft['language'] })}>
          <option value="">{t.prospectLanguageNotChosen}</option>
          <option value="ru">{t.clientLanguages.ru}</option>
          <option value="en">{t.clientLanguages.en}</option>
        </Select>
      </Field>
      {error !== null && <ErrorBar error={error} />}
      <div className={s.actions}>
        {duplicate && !duplicate.innExists ? (
          <Button appearance="primary" size="small" disabled={saving} onClick={() => void create(true)}>
            {t.createAnyway}
          </Button>
        ) : (
          <Button
            type="submit"
            appearance="primary"
            size="small"
            disabled={saving || check.kind === 'loading'}
          >
            {t.create}
          </Button>
        )}
        <Button size="small" onClick={onCancel} disabled={saving}>
          {t.cancel}
        </Button>
        {saving && <Spinner size="extra-tiny" />}
      </div>
    </form>
  );
}

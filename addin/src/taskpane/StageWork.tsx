import type {
  CreditApplicationDetailDto,
  CreditApplicationDto,
  CreditStageCode,
  DecisionRequestDto,
} from '@crm/shared';
import {
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Select,
  Spinner,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { type FormEvent, type JSX, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/api-error.ts';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { useI18n } from '../ui/i18n.ts';
import { amountOf, rateOf, termOf } from './loan-terms.ts';
import { usePaneFormStyles } from './pane-form-styles.ts';
import { TermAndRate } from './TermAndRate.tsx';
import { useMe } from './use-me.ts';
import { useCardScope } from './use-pane-view.ts';

const useStyles = makeStyles({
  muted: { color: tokens.colorNeutralForeground3 },
});

/** Refusals that mean the application is no longer what the form showed. */
const MOVED_MEANWHILE = new Set(['VERSION_CONFLICT', 'APPLICATION_CLOSED', 'CREDIT_TRANSITION_NOT_ALLOWED']);

/** One move the user may make, as the form's choice: `advance`, `return:<stage>` or a decision. */
type Choice = 'advance' | `return:${CreditStageCode}` | DecisionRequestDto['decision'];

/** The moves `actions` allows, in the order the form offers them. */
export function choicesOf(actions: CreditApplicationDetailDto['actions']): Choice[] {
  // At the deciding stage the decision comes first (new-user trial: "Send back" was pre-selected there).
  return [
    ...(actions.advance ? (['advance'] as const) : []),
    ...(actions.approve ? (['approved', 'approved_changed_terms'] as const) : []),
    ...actions.returnTo.map((s) => `return:${s}` as const),
    ...(actions.decline ? (['declined'] as const) : []),
    ...(actions.refuse ? (['client_refused'] as const) : []),
  ];
}

/**
 * "Move the application": the stage's owner (or their supervisor) completes the stage, sends it back to an
 * earlier one the route allows, or decides; the client's manager records a refusal. The choices come from the
 * application's `actions` for this user (the server checks again); the card reloads after a move.
 */
export function StageWork({
  app,
  clientId,
  clientManagerId,
}: {
  app: CreditApplicationDto;
  clientId: string;
  clientManagerId: string | null;
}): JSX.Element | null {
  const s = useStyles();
  const f = usePaneFormStyles();
  const { t } = useI18n();
  const w = t.stageWork;
  const scope = useCardScope();
  const me = useMe();
  const [open, setOpen] = useState(false);
  const [detail, setDetail] = useState<CreditApplicationDetailDto | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [choice, setChoice] = useState<Choice | ''>('');
  const [comment, setComment] = useState('');
  const [terms, setTerms] = useState({ amount: '', term: '', rate: '' });
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<string | null>(null);
  const openButton = useRef<HTMLButtonElement>(null);
  const firstControl = useRef<HTMLSelectElement>(null);
  const wasOpen = useRef(false);
  // Keyboard users stay where they were: into the form when it opens, back to its button when it closes.
  useEffect(() => {
    if (open && detail) firstControl.current?.focus();
    if (!open && wasOpen.current) openButton.current?.focus();
    wasOpen.current = open;
  }, [open, detail]);
  if (app.status !== 'in_progress' && !result) return null;
  // Offered where there may be something to do: the user's own stage, a queue, the client's manager (a
  // refusal), a supervisor (the team's stages). A credit officer has nothing to do on a colleague's stage.
  const mayAct =
    me !== null &&
    (!app.owner || app.owner.id === me.id || clientManagerId === me.id || me.role === 'supervisor');

  /**
   * Loads what the user may do. `again`: after a refused move (someone moved it meanwhile) the user's choice
   * stays only while it is still allowed; otherwise they choose again — never a different move silently.
   */
  const load = async (again = false) => {
    setLoadError(null);
    setDetail(null);
    try {
      const d = await crmApi.creditApplication(app.id);
      setDetail(d);
      const allowed = choicesOf(d.actions);
      if (!again) {
        // Changed terms start from the application's own.
        setTerms({ amount: d.amount.amount, term: String(d.termMonths), rate: d.ratePercent ?? '' });
        setChoice(allowed[0] ?? '');
      } else setChoice((c) => (c && allowed.includes(c) ? c : ''));
    } catch (err) {
      setLoadError(err);
    }
  };
  const start = () => {
    setResult(null);
    setError(null);
    setTouched(false);
    setComment('');
    setOpen(true);
    void load();
  };

  const newAmount = amountOf(terms.amount);
  const term = termOf(terms.term);
  const rate = rateOf(terms.rate);
  const needsText = choice === 'declined' || choice.startsWith('return:');
  const problems = {
    choice: !choice ? t.required : undefined,
    comment: needsText && !comment.trim() ? t.required : undefined,
    amount:
      choice === 'approved_changed_terms' && !(newAmount && /[1-9]/.test(newAmount))
        ? t.amountInvalid
        : undefined,
    term: choice === 'approved_changed_terms' && term === null ? t.termInvalid : undefined,
    rate: choice === 'approved_changed_terms' && rate === null ? t.rateInvalid : undefined,
  };
  const show = (m: string | undefined) => (touched ? m : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!detail || !choice || Object.values(problems).some(Boolean)) return;
    const version = detail.version;
    const text = comment.trim() || null;
    setSaving(true);
    setError(null);
    try {
      const moved =
        choice === 'advance'
          ? await crmApi.advanceCreditApplication(app.id, { version, comment: text })
          : choice.startsWith('return:')
            ? await crmApi.returnCreditApplication(app.id, {
                version,
                toStage: choice.slice('return:'.length) as CreditStageCode,
                comment: text ?? '',
              })
            : await crmApi.decideCreditApplication(app.id, {
                version,
                decision: choice as DecisionRequestDto['decision'],
                reason: text,
                ...(choice === 'approved_changed_terms'
                  ? {
                      terms: {
                        amount: { amount: newAmount!, currency: app.amount.currency },
                        termMonths: term!,
                        ratePercent: rate!,
                      },
                    }
                  : {}),
              });
      setResult(
        moved.status === 'in_progress'
          ? w.moved(t.creditStages[moved.stage])
          : w.closed(t.applicationStatuses[moved.status]),
      );
      setOpen(false);
      const reloaded = await crmApi.client(clientId);
      scope.patchClient(clientId, () => reloaded);
    } catch (err) {
      setError(err);
      // Someone moved or closed it meanwhile: show what it is now (the card too), and what is still allowed.
      if (err instanceof ApiError && MOVED_MEANWHILE.has(err.code)) {
        void load(true);
        void crmApi.client(clientId).then(
          (reloaded) => scope.patchClient(clientId, () => reloaded),
          () => undefined, // the card keeps what it shows; the form says what happened
        );
      }
    } finally {
      setSaving(false);
    }
  };

  if (!open)
    return (
      <>
        {result && (
          <MessageBar intent="success">
            <MessageBarBody>{result}</MessageBarBody>
          </MessageBar>
        )}
        {app.status === 'in_progress' && mayAct && (
          <Button ref={openButton} className={f.start} size="small" appearance="transparent" onClick={start}>
            {w.open}
          </Button>
        )}
      </>
    );

  const label = (c: Choice) =>
    c === 'advance'
      ? w.advance
      : c.startsWith('return:')
        ? w.returnTo(t.creditStages[c.slice('return:'.length) as CreditStageCode])
        : t.creditDecisions[c as DecisionRequestDto['decision']];
  const choices = detail ? choicesOf(detail.actions) : [];
  return (
    <form
      className={f.form}
      onSubmit={submit}
      aria-label={w.title(app.number)}
      noValidate
      onKeyDown={(e) => {
        // Escape leaves the form as Cancel does (focus back on its button).
        if (e.key === 'Escape' && !saving) {
          e.preventDefault();
          setOpen(false);
        }
      }}
    >
      {!detail && !loadError && <Spinner size="tiny" label={w.loading} />}
      {loadError !== null && <ErrorBar error={loadError} onRetry={() => void load()} />}
      {detail && choices.length === 0 && (
        <Caption1 className={s.muted}>
          {detail.status !== 'in_progress'
            ? w.closed(t.applicationStatuses[detail.status])
            : detail.currentStage?.owner
              ? w.notYours(detail.currentStage.owner.name)
              : w.notYoursQueue}
        </Caption1>
      )}
      {detail && choices.length > 0 && (
        <>
          <Field label={w.action} required validationMessage={show(problems.choice)}>
            <Select ref={firstControl} value={choice} onChange={(_, d) => setChoice(d.value as Choice)}>
              {!choice && (
                <option value="" disabled>
                  {w.choose}
                </option>
              )}
              {choices.map((c) => (
                <option key={c} value={c}>
                  {label(c)}
                </option>
              ))}
            </Select>
          </Field>
          {choice === 'approved_changed_terms' && (
            <>
              <Field
                label={w.newAmount(app.amount.currency)}
                required
                validationMessage={show(problems.amount)}
              >
                <Input
                  inputMode="decimal"
                  value={terms.amount}
                  onChange={(_, d) => setTerms((x) => ({ ...x, amount: d.value }))}
                />
              </Field>
              <TermAndRate
                term={terms.term}
                rate={terms.rate}
                onTerm={(v) => setTerms((x) => ({ ...x, term: v }))}
                onRate={(v) => setTerms((x) => ({ ...x, rate: v }))}
                termError={show(problems.term)}
                rateError={show(problems.rate)}
              />
            </>
          )}
          <Field
            label={
              choice.startsWith('return:') ? w.whatIsMissing : choice === 'advance' ? w.comment : w.reason
            }
            required={needsText}
            validationMessage={show(problems.comment)}
          >
            <Textarea value={comment} maxLength={2000} onChange={(_, d) => setComment(d.value)} />
          </Field>
        </>
      )}
      {error !== null && <ErrorBar error={error} />}
      <div className={f.actions}>
        {choices.length > 0 && (
          <Button type="submit" size="small" appearance="primary" disabled={saving || !detail}>
            {w.submit}
          </Button>
        )}
        <Button type="button" size="small" onClick={() => setOpen(false)} disabled={saving}>
          {t.cancel}
        </Button>
        {saving && <Spinner size="tiny" />}
      </div>
    </form>
  );
}

import { addAmounts, type ClientCardDto, type CreditApplicationDto, type LoanDto } from '@crm/shared';
import {
  Body1,
  Body1Strong,
  Button,
  Caption1,
  Caption1Strong,
  Field,
  MessageBar,
  MessageBarBody,
  makeStyles,
  mergeClasses,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { type FormEvent, type JSX, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { money, shortDate, spanOf } from '../ui/format.ts';
import { type Dict, type Lang, useI18n } from '../ui/i18n.ts';
import { ShortList } from '../ui/layout.tsx';
import { CreditApplicationForm } from './CreditApplicationForm.tsx';
import { StageWork } from './StageWork.tsx';
import { useMe } from './use-me.ts';

const useStyles = makeStyles({
  row: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    paddingBlock: tokens.spacingVerticalXS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
  },
  // Label left (wraps), amount right (never wraps): a long product name must not push the amount down.
  line: {
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'baseline',
    gap: tokens.spacingHorizontalS,
  },
  label: { flexGrow: 1, minWidth: 0 },
  amount: { flexShrink: 0, whiteSpace: 'nowrap', textAlign: 'end' },
  muted: { color: tokens.colorNeutralForeground3 },
  danger: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  ok: { color: tokens.colorNeutralForeground2 },
  empty: { color: tokens.colorNeutralForeground3 },
  warn: { color: tokens.colorPaletteDarkOrangeForeground1 },
  nudgeForm: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  buckets: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  small: { alignSelf: 'flex-start' },
  buttons: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'stretch',
    gap: tokens.spacingVerticalXXS,
  },
});

const isPositive = (amount: string) => /[1-9]/.test(amount) && !amount.startsWith('-');

/** SLA of an application's current stage: `осталось 5 ч` or, past due, `просрочено на 3 ч`. */
export function slaText(
  app: CreditApplicationDto,
  now: number,
  t: Dict,
): { text: string; late: boolean } | null {
  // Counts down for the open stage of an application in progress (an approved one still has signing ahead).
  if (!app.slaDueAt || app.status !== 'in_progress') return null;
  const ms = new Date(app.slaDueAt).getTime() - now;
  return ms >= 0
    ? { text: t.slaLeft(spanOf(ms)), late: false }
    : { text: t.slaOverdue(spanOf(ms)), late: true };
}

/** What in the credit status needs the RM now: overdue loans and applications past their SLA. */
export function creditAlerts(
  card: ClientCardDto,
  now: number,
  t: Dict,
  lang: Lang,
): { key: string; text: string }[] {
  const out: { key: string; text: string }[] = [];
  for (const loan of card.credit.loans) {
    if (loan.daysPastDue > 0 || isPositive(loan.overdueAmount.amount)) {
      out.push({
        key: `loan:${loan.id}`,
        text: `${t.overdueAmount}: ${money(loan.overdueAmount, lang)}, ${t.daysPastDue(loan.daysPastDue)}`,
      });
    }
  }
  for (const app of card.credit.applications) {
    const sla = slaText(app, now, t);
    if (sla?.late) out.push({ key: `app:${app.id}`, text: `${t.application(app.number)}: ${sla.text}` });
  }
  return out;
}

/** "Nudge": a comment or question to the owner of the application's current stage. */
function NudgeOwner({ app }: { app: CreditApplicationDto }): JSX.Element | null {
  const s = useStyles();
  const { t } = useI18n();
  const me = useMe();
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState('');
  const [touched, setTouched] = useState(false);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Nobody to nudge: a queue without an owner yet, or the stage is the user's own.
  // (Until the signed-in user is known, offered to nobody.)
  if (app.status !== 'in_progress' || !app.owner || !me || app.owner.id === me.id) return null;
  const owner = app.owner;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!message.trim()) return;
    setSending(true);
    setError(null);
    try {
      await crmApi.nudgeCreditApplication(app.id, { message: message.trim() });
      setSent(true);
      setOpen(false);
      setMessage('');
      setTouched(false);
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };
  if (!open)
    return (
      <>
        {sent && (
          <MessageBar intent="success">
            <MessageBarBody>{t.nudgeSent}</MessageBarBody>
          </MessageBar>
        )}
        <Button
          className={s.small}
          size="small"
          appearance="transparent"
          onClick={() => {
            setSent(false);
            setOpen(true);
          }}
        >
          {t.nudge}
        </Button>
      </>
    );
  return (
    <form className={s.nudgeForm} onSubmit={submit} aria-label={t.nudge} noValidate>
      <Field
        label={t.nudgeLabel(owner.name)}
        required
        validationMessage={touched && !message.trim() ? t.required : undefined}
      >
        <Textarea value={message} maxLength={1000} onChange={(_, d) => setMessage(d.value)} />
      </Field>
      {error !== null && <ErrorBar error={error} />}
      <div className={s.line}>
        <Button type="submit" size="small" appearance="primary" disabled={sending}>
          {t.nudgeSend}
        </Button>
        <Button type="button" size="small" onClick={() => setOpen(false)} disabled={sending}>
          {t.cancel}
        </Button>
      </div>
    </form>
  );
}

function ApplicationRow({
  app,
  now,
  clientId,
  clientManagerId,
}: {
  app: CreditApplicationDto;
  now: number;
  clientId: string;
  clientManagerId: string | null;
}): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const sla = slaText(app, now, t);
  const open = app.status === 'in_progress';
  return (
    <div className={s.row}>
      <Body1Strong>{t.application(app.number)}</Body1Strong>
      <div className={s.line}>
        <Caption1 className={mergeClasses(s.label, s.muted)}>{app.product.name}</Caption1>
        <Body1 className={s.amount}>{money(app.amount, lang)}</Body1>
      </div>
      <div className={s.line}>
        <Caption1 className={s.label}>
          {open ? t.creditStages[app.stage] : t.applicationStatuses[app.status]}
        </Caption1>
        {sla && (
          <Caption1 className={mergeClasses(s.amount, sla.late ? s.danger : s.ok)}>{sla.text}</Caption1>
        )}
      </div>
      {open && (
        <Caption1 className={s.muted}>{app.owner ? t.stageOwner(app.owner.name) : t.stageQueue}</Caption1>
      )}
      {open && app.slaState === 'at_risk' && sla && !sla.late && (
        <Caption1 className={s.warn}>{t.slaAtRisk}</Caption1>
      )}
      {app.lastDecision && (
        <Caption1>
          {t.lastDecision(t.creditDecisions[app.lastDecision.decision], shortDate(app.lastDecision.at, lang))}
        </Caption1>
      )}
      <div className={s.buttons}>
        <StageWork app={app} clientId={clientId} clientManagerId={clientManagerId} />
        <NudgeOwner app={app} />
      </div>
    </div>
  );
}

/** Days-past-due reporting buckets (banking.md, "Collections"): 1-30, 31-60, 61-90, 90+. */
export function dpdBuckets(loans: LoanDto[]): { label: string; count: number }[] {
  const buckets = [
    { label: '1-30', min: 1, max: 30 },
    { label: '31-60', min: 31, max: 60 },
    { label: '61-90', min: 61, max: 90 },
    { label: '90+', min: 91, max: Number.POSITIVE_INFINITY },
  ];
  return buckets.map((b) => ({
    label: b.label,
    count: loans.filter((l) => l.daysPastDue >= b.min && l.daysPastDue <= b.max).length,
  }));
}

/** Total balance and overdue of open loans per currency, summed exactly (decimal strings). */
export function exposureOf(loans: LoanDto[]): { currency: string; balance: string; overdue: string }[] {
  const currencies = [...new Set(loans.map((l) => l.balance.currency))].sort();
  return currencies.map((currency) => {
    const mine = loans.filter((l) => l.balance.currency === currency);
    return {
      currency,
      balance: addAmounts(mine.map((l) => l.balance.amount)),
      overdue: addAmounts(mine.map((l) => l.overdueAmount.amount)),
    };
  });
}

function ExposureSummary({ loans }: { loans: LoanDto[] }): JSX.Element | null {
  const s = useStyles();
  const { t, lang } = useI18n();
  if (loans.length === 0) return null;
  const buckets = dpdBuckets(loans).filter((b) => b.count > 0);
  return (
    <section className={s.row} aria-label={t.exposure}>
      {exposureOf(loans).map((e) => (
        <div key={e.currency}>
          <div className={s.line}>
            <Caption1Strong className={s.label}>{t.exposure}</Caption1Strong>
            <Body1Strong className={s.amount}>
              {money({ amount: e.balance, currency: e.currency }, lang)}
            </Body1Strong>
          </div>
          {isPositive(e.overdue) && (
            <div className={s.line}>
              <Caption1 className={mergeClasses(s.label, s.danger)}>{t.exposureOverdue}</Caption1>
              <Caption1 className={mergeClasses(s.amount, s.danger)}>
                {money({ amount: e.overdue, currency: e.currency }, lang)}
              </Caption1>
            </div>
          )}
        </div>
      ))}
      {buckets.length > 0 && (
        <div className={s.buckets}>
          <Caption1 className={s.muted}>{t.dpdBuckets}:</Caption1>
          {buckets.map((b) => (
            <Caption1 key={b.label} className={s.danger}>
              {t.dpdBucket(b.label, b.count)}
            </Caption1>
          ))}
        </div>
      )}
    </section>
  );
}

function LoanRow({ loan }: { loan: LoanDto }): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const overdue = loan.daysPastDue > 0 || isPositive(loan.overdueAmount.amount);
  return (
    <div className={s.row}>
      <Body1Strong>{t.loan(loan.contractNumber)}</Body1Strong>
      <Caption1 className={s.muted}>{loan.product.name}</Caption1>
      <div className={s.line}>
        <Caption1 className={s.label}>{t.balance}</Caption1>
        <Body1 className={s.amount}>{money(loan.balance, lang)}</Body1>
      </div>
      {overdue && (
        <div className={mergeClasses(s.line, s.danger)}>
          <Caption1 className={mergeClasses(s.label, s.danger)}>
            {t.overdueAmount}, {t.daysPastDue(loan.daysPastDue)}
          </Caption1>
          <Body1 className={mergeClasses(s.amount, s.danger)}>{money(loan.overdueAmount, lang)}</Body1>
        </div>
      )}
      {loan.nextPaymentDate && (
        <div className={s.line}>
          <Caption1 className={s.label}>
            {t.nextPayment} {shortDate(loan.nextPaymentDate, lang)}
          </Caption1>
          {loan.nextPaymentAmount && (
            <Body1 className={s.amount}>{money(loan.nextPaymentAmount, lang)}</Body1>
          )}
        </div>
      )}
    </div>
  );
}

/** Credit applications (stage and SLA countdown) and loans (balance, overdue, next payment). */
export function CreditBlock({ card, now }: { card: ClientCardDto; now: number }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const { applications, loans } = card.credit;
  if (applications.length === 0 && loans.length === 0)
    return (
      <>
        <Caption1 className={s.empty}>{t.noCredit}</Caption1>
        <CreditApplicationForm card={card} />
      </>
    );
  // Overdue first: the most important fact leads.
  const sortedLoans = [...loans].sort((a, b) => b.daysPastDue - a.daysPastDue);
  return (
    <>
      <ExposureSummary loans={loans} />
      {applications.length > 0 && (
        <ShortList
          items={applications}
          truncated={card.truncated.includes('applications')}
          keyOf={(a) => a.id}
          render={(a) => (
            <ApplicationRow app={a} now={now} clientId={card.id} clientManagerId={card.manager?.id ?? null} />
          )}
        />
      )}
      {loans.length > 0 && (
        <ShortList
          items={sortedLoans}
          truncated={card.truncated.includes('loans')}
          keyOf={(l) => l.id}
          render={(l) => <LoanRow loan={l} />}
        />
      )}
      <CreditApplicationForm card={card} />
    </>
  );
}

import type { ClientCardDto, CreditApplicationDto, LoanDto } from '@crm/shared';
import { Body1, Body1Strong, Caption1, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { JSX } from 'react';
import { money, shortDate, spanOf } from '../ui/format.ts';
import { type Dict, type Lang, useI18n } from '../ui/i18n.ts';
import { ShortList } from '../ui/layout.tsx';

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
});

const isPositive = (amount: string) => /[1-9]/.test(amount) && !amount.startsWith('-');

/** SLA of an application's current stage: `осталось 5 ч` or, past due, `просрочено на 3 ч`. */
export function slaText(
  app: CreditApplicationDto,
  now: number,
  t: Dict,
): { text: string; late: boolean } | null {
  if (!app.slaDueAt || app.decision) return null;
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

function ApplicationRow({ app, now }: { app: CreditApplicationDto; now: number }): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const sla = slaText(app, now, t);
  return (
    <div className={s.row}>
      <Body1Strong>{t.application(app.number)}</Body1Strong>
      <div className={s.line}>
        <Caption1 className={mergeClasses(s.label, s.muted)}>{app.product.name}</Caption1>
        <Body1 className={s.amount}>{money(app.amount, lang)}</Body1>
      </div>
      <div className={s.line}>
        <Caption1 className={s.label}>{t.creditStages[app.stage]}</Caption1>
        {sla && (
          <Caption1 className={mergeClasses(s.amount, sla.late ? s.danger : s.ok)}>{sla.text}</Caption1>
        )}
      </div>
    </div>
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
    return <Caption1 className={s.empty}>{t.noCredit}</Caption1>;
  // Overdue first: the most important fact leads.
  const sortedLoans = [...loans].sort((a, b) => b.daysPastDue - a.daysPastDue);
  return (
    <>
      {applications.length > 0 && (
        <ShortList
          items={applications}
          truncated={card.truncated.includes('applications')}
          keyOf={(a) => a.id}
          render={(a) => <ApplicationRow app={a} now={now} />}
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
    </>
  );
}

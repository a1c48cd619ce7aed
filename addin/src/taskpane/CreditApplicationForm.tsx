import {
  addAmounts,
  type ClientCardDto,
  type CreateCreditApplicationRequestDto,
  type CreditApplicationDetailDto,
} from '@crm/shared';
import {
  Button,
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
import { type FormEvent, type JSX, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { money } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { useCardScope } from './use-pane-view.ts';

const useStyles = makeStyles({
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  // minmax(0, …): an input's intrinsic width (20 characters) must not push the pane wider than it is.
  pair: {
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)',
    gap: tokens.spacingHorizontalS,
  },
  narrow: { minWidth: 0, width: '100%' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  open: { alignSelf: 'flex-start' },
});

/** "300 000,50" -> "300000.50"; null when it is not an amount with at most 2 decimals. */
export function amountOf(text: string): string | null {
  const v = text.replace(/[\s\u00a0]/g, '').replace(',', '.');
  return /^\d{1,15}(\.\d{1,2})?$/.test(v) ? v : null;
}
const positive = (v: string | null) => v !== null && /[1-9]/.test(v);

type Draft = {
  productCode: string;
  amount: string;
  termMonths: string;
  ratePercent: string;
  purpose: string;
  monthlyIncome: string;
  existingPayments: string;
};

/**
 * "New application" for the open client: product, amount in roubles, term, rate, purpose, income and payments
 * on other loans (for the PDN). Each control in a Field with its validation message; the server's answer
 * (number, PDN with its warning, cooling-off) is shown after submitting, and the card reloads.
 */
export function CreditApplicationForm({ card }: { card: ClientCardDto }): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const scope = useCardScope();
  const products = card.kind === 'legal_entity' ? ['CORP-LOAN'] : ['CONS-LOAN', 'MORTGAGE'];
  // The PDN counts every loan's payment: the client's loans here are on the card, the form starts from them
  // (new-user trial: it started from 0 with a loan payment shown just above).
  const ownPayments = addAmounts(
    card.credit.loans.flatMap((l) =>
      l.nextPaymentAmount && l.nextPaymentAmount.currency === 'RUB' ? [l.nextPaymentAmount.amount] : [],
    ),
  );
  const fresh = (): Draft => ({
    productCode: products[0]!,
    amount: '',
    termMonths: '12',
    ratePercent: '',
    purpose: '',
    monthlyIncome: '',
    existingPayments: ownPayments,
  });
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(fresh);
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreditApplicationDetailDto | null>(null);
  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const amount = amountOf(draft.amount);
  const income = amountOf(draft.monthlyIncome);
  const payments = amountOf(draft.existingPayments || '0');
  const term = /^\d{1,3}$/.test(draft.termMonths) ? Number(draft.termMonths) : NaN;
  const rate = draft.ratePercent.trim().replace(',', '.');
  const problems = {
    amount: !positive(amount) ? t.amountInvalid : undefined,
    term: !(term >= 1 && term <= 600) ? t.termInvalid : undefined,
    rate: !/^\d{1,3}(\.\d{1,3})?$/.test(rate) ? t.rateInvalid : undefined,
    purpose: !draft.purpose.trim() ? t.required : undefined,
    income: !positive(income) ? t.incomeInvalid : undefined,
    payments: payments === null ? t.amountInvalid : undefined,
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.values(problems).some(Boolean)) return;
    const body: CreateCreditApplicationRequestDto = {
      clientId: card.id,
      productCode: draft.productCode,
      amount: { amount: amount!, currency: 'RUB' },
      termMonths: term,
      ratePercent: rate,
      purpose: draft.purpose.trim(),
      monthlyIncome: income!,
      existingMonthlyPayments: payments!,
    };
    setSaving(true);
    setError(null);
    try {
      const application = await crmApi.createCreditApplication(body);
      const reloaded = await crmApi.client(card.id);
      scope.patchClient(card.id, () => reloaded);
      setCreated(application);
      setOpen(false);
      setDraft(fresh());
      setTouched(false);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  if (!open)
    return (
      <>
        {created && (
          <MessageBar intent={created.pdn.warning ? 'warning' : 'success'}>
            <MessageBarBody>
              {t.applicationCreated(created.number)}{' '}
              {created.pdn.ratioPercent &&
                (created.pdn.warning
                  ? t.pdnWarning(created.pdn.ratioPercent)
                  : t.pdnOk(created.pdn.ratioPercent))}{' '}
              {created.coolingOff.hours ? t.coolingOff(created.coolingOff.hours) : ''}
            </MessageBarBody>
          </MessageBar>
        )}
        <Button
          className={s.open}
          size="small"
          appearance="secondary"
          icon={<Icon name="add" />}
          onClick={() => {
            setCreated(null);
            setOpen(true);
          }}
        >
          {t.newApplication}
        </Button>
      </>
    );

  const show = (m: string | undefined) => (touched ? m : undefined);
  return (
    <form className={s.form} onSubmit={submit} aria-label={t.newApplicationTitle} noValidate>
      <Field label={t.product}>
        <Select value={draft.productCode} onChange={(_, d) => update({ productCode: d.value })}>
          {products.map((p) => (
            <option key={p} value={p}>
              {t.creditProducts[p] ?? p}
            </option>
          ))}
        </Select>
      </Field>
      <Field label={t.amount} required validationMessage={show(problems.amount)}>
        <Input inputMode="decimal" value={draft.amount} onChange={(_, d) => update({ amount: d.value })} />
      </Field>
      <div className={s.pair}>
        <Field label={t.termMonths} required validationMessage={show(problems.term)}>
          <Input
            className={s.narrow}
            inputMode="numeric"
            value={draft.termMonths}
            onChange={(_, d) => update({ termMonths: d.value })}
          />
        </Field>
        <Field label={t.ratePercent} required validationMessage={show(problems.rate)}>
          <Input
            className={s.narrow}
            inputMode="decimal"
            value={draft.ratePercent}
            onChange={(_, d) => update({ ratePercent: d.value })}
          />
        </Field>
      </div>
      <Field label={t.purpose} required validationMessage={show(problems.purpose)}>
        <Textarea value={draft.purpose} maxLength={500} onChange={(_, d) => update({ purpose: d.value })} />
      </Field>
      <Field label={t.monthlyIncome} required validationMessage={show(problems.income)}>
        <Input
          inputMode="decimal"
          value={draft.monthlyIncome}
          onChange={(_, d) => update({ monthlyIncome: d.value })}
        />
      </Field>
      <Field
        label={t.existingPayments}
        hint={
          /[1-9]/.test(ownPayments)
            ? t.existingPaymentsHint(money({ amount: ownPayments, currency: 'RUB' }, lang))
            : undefined
        }
        validationMessage={show(problems.payments)}
      >
        <Input
          inputMode="decimal"
          value={draft.existingPayments}
          onChange={(_, d) => update({ existingPayments: d.value })}
        />
      </Field>
      {error !== null && <ErrorBar error={error} />}
      <div className={s.actions}>
        <Button type="submit" appearance="primary" size="small" disabled={saving}>
          {t.submitApplication}
        </Button>
        <Button
          type="button"
          size="small"
          disabled={saving}
          onClick={() => {
            setOpen(false);
            setTouched(false);
            setError(null);
          }}
        >
          {t.cancel}
        </Button>
        {saving && <Spinner size="tiny" />}
      </div>
    </form>
  );
}

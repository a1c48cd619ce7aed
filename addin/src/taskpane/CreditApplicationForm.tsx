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
  Select,
  Spinner,
  Textarea,
} from '@fluentui/react-components';
import { type FormEvent, type JSX, useState } from 'react';
import { crmApi } from '../api/crm-api.ts';
import { ErrorBar } from '../ui/ErrorBar.tsx';
import { money } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { amountOf, rateOf, termOf } from './loan-terms.ts';
import { usePaneFormStyles } from './pane-form-styles.ts';
import { TermAndRate } from './TermAndRate.tsx';
import { useCardScope } from './use-pane-view.ts';

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
  const f = usePaneFormStyles();
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
  const term = termOf(draft.termMonths);
  const rate = rateOf(draft.ratePercent);
  const problems = {
    amount: !positive(amount) ? t.amountInvalid : undefined,
    term: term === null ? t.termInvalid : undefined,
    rate: rate === null ? t.rateInvalid : undefined,
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
      termMonths: term!,
      ratePercent: rate!,
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
          className={f.start}
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
    <form className={f.form} onSubmit={submit} aria-label={t.newApplicationTitle} noValidate>
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
      <TermAndRate
        term={draft.termMonths}
        rate={draft.ratePercent}
        onTerm={(v) => update({ termMonths: v })}
        onRate={(v) => update({ ratePercent: v })}
        termError={show(problems.term)}
        rateError={show(problems.rate)}
      />
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
      <div className={f.actions}>
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

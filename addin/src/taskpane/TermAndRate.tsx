import { Field, Input } from '@fluentui/react-components';
import type { JSX } from 'react';
import { useI18n } from '../ui/i18n.ts';
import { usePaneFormStyles } from './pane-form-styles.ts';

/** Term (months) and rate (% a year) side by side, each in its Field with its validation message. */
export function TermAndRate({
  term,
  rate,
  onTerm,
  onRate,
  termError,
  rateError,
}: {
  term: string;
  rate: string;
  onTerm: (value: string) => void;
  onRate: (value: string) => void;
  termError: string | undefined;
  rateError: string | undefined;
}): JSX.Element {
  const { t } = useI18n();
  const f = usePaneFormStyles();
  return (
    <div className={f.pair}>
      <Field label={t.termMonths} required validationMessage={termError}>
        <Input className={f.fill} inputMode="numeric" value={term} onChange={(_, d) => onTerm(d.value)} />
      </Field>
      <Field label={t.ratePercent} required validationMessage={rateError}>
        <Input className={f.fill} inputMode="decimal" value={rate} onChange={(_, d) => onRate(d.value)} />
      </Field>
    </div>
  );
}

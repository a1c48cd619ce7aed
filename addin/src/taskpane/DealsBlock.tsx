import type { DealDto } from '@crm/shared';
import { Badge, Body1, Body1Strong, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import type { JSX } from 'react';
import { money, shortDate } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { ShortList } from '../ui/layout.tsx';

const useStyles = makeStyles({
  row: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    paddingBlock: tokens.spacingVerticalXS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
  },
  line: {
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
  },
  muted: { color: tokens.colorNeutralForeground3 },
  amount: { whiteSpace: 'nowrap' },
});

/** Open deals: title, stage, amount, expected close date. */
export function DealsBlock({
  deals,
  truncated = false,
}: {
  deals: DealDto[];
  truncated?: boolean;
}): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  if (deals.length === 0) return <Caption1 className={s.muted}>{t.noDeals}</Caption1>;
  return (
    <ShortList
      items={deals}
      truncated={truncated}
      keyOf={(d) => d.id}
      render={(d) => (
        <div className={s.row}>
          <Body1Strong>{d.title}</Body1Strong>
          <div className={s.line}>
            <Badge appearance="outline" color="brand" size="small">
              {t.dealStages[d.stage]}
            </Badge>
            <Body1 className={s.amount}>{money(d.amount, lang)}</Body1>
          </div>
          {d.expectedCloseDate && (
            <Caption1 className={s.muted}>{t.expectedClose(shortDate(d.expectedCloseDate, lang))}</Caption1>
          )}
        </div>
      )}
    />
  );
}

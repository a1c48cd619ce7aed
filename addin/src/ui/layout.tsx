import { Button, Caption1, Caption1Strong, makeStyles, tokens } from '@fluentui/react-components';
import { type JSX, type ReactNode, useState } from 'react';
import { useI18n } from './i18n.ts';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  heading: {
    color: tokens.colorNeutralForeground3,
    textTransform: 'uppercase',
    letterSpacing: '0.04em',
    marginTop: tokens.spacingVerticalS,
  },
  list: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  more: { alignSelf: 'flex-start' },
});

/** A titled block of a card (tasks, deals, credit...). */
export function Section({
  title,
  children,
  label,
}: {
  title: string;
  children: ReactNode;
  label?: string;
}): JSX.Element {
  const s = useStyles();
  return (
    <section className={s.section} aria-label={label ?? title}>
      <Caption1Strong as="h3" className={s.heading}>
        {title}
      </Caption1Strong>
      {children}
    </section>
  );
}

/** A list that shows the first `limit` rows and a "show all" toggle (style.md: Odoo shows a few rows). */
export function ShortList<T>({
  items,
  render,
  keyOf,
  limit = 3,
  truncated = false,
}: {
  items: T[];
  render: (item: T) => ReactNode;
  keyOf: (item: T) => string;
  limit?: number;
  /** The server cut this list at the card's limit: say so rather than pretend it is complete. */
  truncated?: boolean;
}): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const shown = all ? items : items.slice(0, limit);
  return (
    <>
      <ul className={s.list}>
        {shown.map((x) => (
          <li key={keyOf(x)}>{render(x)}</li>
        ))}
      </ul>
      {items.length > limit && (
        <Button className={s.more} appearance="transparent" size="small" onClick={() => setAll(!all)}>
          {all ? t.showLess : t.showAll(items.length)}
        </Button>
      )}
      {truncated && all && <Caption1 className={s.more}>{t.listTruncated(items.length)}</Caption1>}
    </>
  );
}

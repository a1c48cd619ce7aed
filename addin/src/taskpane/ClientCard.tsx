import type { ClientCardDto } from '@crm/shared';
import {
  Badge,
  type BadgeProps,
  Body1,
  Caption1,
  Link,
  makeStyles,
  mergeClasses,
  Text,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { type JSX, lazy, type ReactNode, Suspense } from 'react';
import { shortDate } from '../ui/format.ts';
import { type Dict, useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { Section } from '../ui/layout.tsx';
import { CreditBlock, creditAlerts } from './CreditBlock.tsx';
import { DealsBlock } from './DealsBlock.tsx';
import { RelatedBlock } from './RelatedBlock.tsx';
import { TasksBlock } from './TasksBlock.tsx';
import { useNow } from './use-now.ts';
import { useCardScope } from './use-pane-view.ts';

// Logging and history load with the first card (they are not needed to paint who the client is).
const CardLog = lazy(() => import('./LogToClient.tsx').then((m) => ({ default: m.CardLog })));
const HistoryBlock = lazy(() => import('./HistoryBlock.tsx'));

const useStyles = makeStyles({
  card: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow4,
  },
  header: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-start' },
  kind: {
    flexShrink: 0,
    display: 'grid',
    placeItems: 'center',
    width: '32px',
    height: '32px',
    borderRadius: tokens.borderRadiusCircular,
    color: tokens.colorBrandForeground1,
    backgroundColor: tokens.colorBrandBackground2,
  },
  titleBlock: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  name: { margin: 0, overflowWrap: 'anywhere' },
  badges: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalXS,
    marginTop: tokens.spacingVerticalXXS,
  },
  alerts: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  alert: {
    display: 'flex',
    gap: tokens.spacingHorizontalXS,
    alignItems: 'flex-start',
    color: tokens.colorPaletteRedForeground1,
    fontWeight: tokens.fontWeightSemibold,
  },
  alertIcon: { flexShrink: 0, marginTop: '2px' },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
  },
  term: { ...typographyStyles.caption1, color: tokens.colorNeutralForeground3, alignSelf: 'baseline' },
  value: { ...typographyStyles.body1, margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
  hidden: { color: tokens.colorNeutralForeground3, fontStyle: 'italic' },
  contact: { display: 'inline-flex', gap: tokens.spacingHorizontalXS, alignItems: 'center' },
  contacts: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
});

const STATUS_COLOR: Record<ClientCardDto['status'], BadgeProps['color']> = {
  active: 'success',
  new: 'brand',
  potential: 'informative',
  inactive: 'subtle',
};

function Fact({ term, children }: { term: string; children: ReactNode }): JSX.Element {
  const s = useStyles();
  return (
    <>
      <dt className={s.term}>{term}</dt>
      <dd className={s.value}>{children}</dd>
    </>
  );
}

/** The language the bank writes to the client in: their choice, else by citizenship (as the server decides). */
function languageOf(card: ClientCardDto, t: Dict): string {
  if (card.preferredLanguage) return t.clientLanguages[card.preferredLanguage];
  const citizenship = card.individual?.citizenship;
  if (!citizenship) return t.clientLanguageDefault(t.clientLanguages.ru);
  return t.clientLanguageByCitizenship(t.clientLanguages[citizenship !== 'RU' ? 'en' : 'ru']);
}

/** One client: who it is first, then what needs attention, then tasks, credit, deals and related clients. */
export function ClientCard({ card, className }: { card: ClientCardDto; className?: string }): JSX.Element {
  const s = useStyles();
  const { t, lang } = useI18n();
  const now = useNow();
  const alerts = creditAlerts(card, now, t, lang);
  const scope = useCardScope();
  const le = card.legalEntity;
  const ind = card.individual;
  return (
    <article className={mergeClasses(s.card, className)} aria-label={card.displayName}>
      <div className={s.header}>
        <span className={s.kind} title={t.kinds[card.kind]}>
          <Icon name={card.kind === 'individual' ? 'person' : 'building'} size={20} />
        </span>
        <div className={s.titleBlock}>
          <Text as="h2" size={400} weight="semibold" className={s.name}>
            {card.displayName}
          </Text>
          {le && le.fullName !== card.displayName && <Caption1>{le.fullName}</Caption1>}
          <div className={s.badges}>
            <Badge appearance="filled" color={STATUS_COLOR[card.status]}>
              {t.statuses[card.status]}
            </Badge>
            {card.segments.map((seg) => (
              <Badge
                key={seg}
                appearance="tint"
                color={seg === 'vip' ? 'important' : seg === 'churn_risk' ? 'danger' : 'brand'}
              >
                {t.segments[seg]}
              </Badge>
            ))}
          </div>
        </div>
      </div>

      {alerts.length > 0 && (
        <ul className={s.alerts}>
          {alerts.map((a) => (
            <li key={a.key} className={s.alert}>
              <Icon name="warning" size={16} className={s.alertIcon} />
              <Body1>{a.text}</Body1>
            </li>
          ))}
        </ul>
      )}

      <dl className={s.facts}>
        <Fact term={t.manager}>{card.manager?.name ?? t.noManager}</Fact>
        {card.branches.length > 0 && (
          <Fact term={t.branches}>{card.branches.map((b) => b.name).join('; ')}</Fact>
        )}
        {le && <Fact term={t.inn}>{le.inn}</Fact>}
        {le?.kpp && <Fact term={t.kpp}>{le.kpp}</Fact>}
        {le?.ogrn && <Fact term={t.ogrn}>{le.ogrn}</Fact>}
        {ind?.inn && <Fact term={t.inn}>{ind.inn}</Fact>}
        {ind?.birthDate && <Fact term={t.birthDate}>{shortDate(ind.birthDate, lang)}</Fact>}
        {ind && !ind.birthDate && card.masked?.includes('individual.birthDate') && (
          <Fact term={t.birthDate}>
            <span className={s.hidden} title={t.hiddenHint}>
              {t.hidden}
            </span>
          </Fact>
        )}
        <Fact term={t.clientLanguage}>{languageOf(card, t)}</Fact>
        {card.contacts.length > 0 && (
          <Fact term={t.contacts}>
            <span className={s.contacts}>
              {card.contacts.map((c) => (
                <Link
                  key={`${c.kind}:${c.value}`}
                  className={s.contact}
                  href={c.kind === 'email' ? `mailto:${c.value}` : `tel:${c.value.replace(/[^\d+]/g, '')}`}
                >
                  <Icon name={c.kind === 'email' ? 'mail' : 'call'} size={14} />
                  {c.value}
                </Link>
              ))}
            </span>
          </Fact>
        )}
      </dl>

      <Suspense fallback={null}>
        <CardLog key={scope.itemKey} card={card} />
      </Suspense>
      <TasksBlock card={card} />
      <Section title={t.credit}>
        <CreditBlock card={card} now={now} />
      </Section>
      <Section title={t.deals}>
        <DealsBlock deals={card.deals} truncated={card.truncated.includes('deals')} />
      </Section>
      <Suspense fallback={null}>
        <HistoryBlock card={card} />
      </Suspense>
      {card.related.length > 0 && (
        <Section title={t.related}>
          <RelatedBlock related={card.related} />
        </Section>
      )}
    </article>
  );
}

import type { ResolvedParticipantDto } from '@crm/shared';
import {
  Body1,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  makeStyles,
  mergeClasses,
  Spinner,
  tokens,
} from '@fluentui/react-components';
import { type JSX, lazy, Suspense, useState } from 'react';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { ClientCard } from './ClientCard.tsx';
import { clientChoices } from './session-store.ts';
import { useCardScope } from './use-pane-view.ts';

// Search for an unknown sender is needed for a minority of items: its code loads on first use.
const UnknownParticipant = lazy(() => import('./UnknownParticipant.tsx'));

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  who: {
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalXS,
    color: tokens.colorNeutralForeground3,
    overflowWrap: 'anywhere',
  },
  line: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  icon: { flexShrink: 0, color: tokens.colorNeutralForeground3 },
  choices: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    border: 'none',
    margin: 0,
    padding: 0,
  },
  choice: { justifyContent: 'flex-start', textAlign: 'start', paddingBlock: tokens.spacingVerticalS },
  chosen: {
    backgroundColor: tokens.colorBrandBackground2,
    border: `${tokens.strokeWidthThick} solid ${tokens.colorBrandStroke1}`,
    ':hover': { backgroundColor: tokens.colorBrandBackground2Hover },
  },
  choiceText: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    fontWeight: tokens.fontWeightRegular,
  },
});

/** Who the participant is in the item: "From: Ilya Sorokin <i.sorokin@…>". */
function ParticipantLine({ p }: { p: ResolvedParticipantDto }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const roles = p.roles
    .map((r) => t.participantRoles[r as keyof typeof t.participantRoles] ?? r)
    .filter((r, i, xs) => xs.indexOf(r) === i)
    .join(', ');
  const address = p.addressKind === 'smtp' ? p.emailAddress : '';
  return (
    <Caption1 className={s.who}>
      <span>{roles}:</span>
      {p.displayName && <span>{p.displayName}</span>}
      {address && <span>&lt;{address}&gt;</span>}
    </Caption1>
  );
}

/** Several visible clients share this address: the RM picks; nothing is chosen silently. */
function ClientChoice({ p }: { p: ResolvedParticipantDto }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const scope = useCardScope();
  const choiceKey = `${scope.itemKey}|${p.emailAddress}`;
  const [chosen, setChosen] = useState<string | null>(() => clientChoices.get(choiceKey) ?? null);
  const card = p.clients.find((c) => c.id === chosen) ?? null;
  const choose = (id: string) => {
    clientChoices.set(choiceKey, id);
    setChosen(id);
  };
  return (
    <>
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>{t.chooseClient(p.clients.length)}</MessageBarBody>
      </MessageBar>
      <fieldset className={s.choices} aria-label={t.chooseClient(p.clients.length)}>
        {p.clients.map((c) => (
          <Button
            key={c.id}
            className={mergeClasses(s.choice, c.id === chosen && s.chosen)}
            appearance="secondary"
            aria-pressed={c.id === chosen}
            icon={<Icon name={c.kind === 'individual' ? 'person' : 'building'} />}
            onClick={() => choose(c.id)}
          >
            <span className={s.choiceText}>
              <span>{c.displayName}</span>
              <Caption1>
                {[c.legalEntity ? `${t.inn} ${c.legalEntity.inn}` : null, c.manager?.name]
                  .filter(Boolean)
                  .join(' · ')}
              </Caption1>
            </span>
          </Button>
        ))}
      </fieldset>
      {card && <ClientCard card={card} />}
    </>
  );
}

/** One participant of the item and what they are to the bank. */
export function ParticipantSection({ p }: { p: ResolvedParticipantDto }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  let body: JSX.Element;
  switch (p.resolution) {
    case 'client':
      body = p.clients.length === 1 ? <ClientCard card={p.clients[0]!} /> : <ClientChoice p={p} />;
      break;
    case 'colleague':
      body = (
        <div className={s.line}>
          <Icon name="team" size={20} className={s.icon} />
          <Body1>
            {t.colleague(p.colleague?.name ?? p.displayName)}
            {p.colleague?.email ? ` · ${p.colleague.email}` : ''}
          </Body1>
        </div>
      );
      break;
    case 'restricted':
      body = (
        <MessageBar intent="warning" layout="multiline" icon={<Icon name="lock" size={20} />}>
          <MessageBarBody>{t.restricted}</MessageBarBody>
        </MessageBar>
      );
      break;
    default:
      body = (
        <Suspense fallback={<Spinner size="tiny" />}>
          <UnknownParticipant p={p} />
        </Suspense>
      );
  }
  return (
    <section className={s.section} aria-label={p.displayName || p.emailAddress}>
      <ParticipantLine p={p} />
      {body}
    </section>
  );
}

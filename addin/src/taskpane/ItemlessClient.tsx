import type { ClientCardDto } from '@crm/shared';
import { Button, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { type JSX, useMemo } from 'react';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { ClientDetail } from './ClientDetail.tsx';
import { ItemLogContext } from './item-log.ts';
import { OpenClientContext, type OpenClientTarget } from './open-client.ts';
import { type CardScope, CardScopeContext, NO_ITEM_KEY } from './use-pane-view.ts';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  back: { alignSelf: 'flex-start' },
  note: { color: tokens.colorNeutralForeground3 },
});

const noop = () => {};

/**
 * A client's card opened with no email or meeting selected (from a notice, from a task link): the top of
 * `stack`, with Back. The card works as usual (credit, nudge, tasks, related clients push onto the stack);
 * what acts on the selected item (logging it, a task from it) is unavailable and says so.
 */
export function ItemlessClient({
  stack,
  onOpen,
  onBack,
  backLabel,
  patchClient = noop,
}: {
  stack: OpenClientTarget[];
  onOpen: (target: OpenClientTarget) => void;
  onBack: () => void;
  backLabel?: string;
  /** Also updates the pane's other copies of the card (after a write). */
  patchClient?: (clientId: string, fn: (c: ClientCardDto) => ClientCardDto) => void;
}): JSX.Element | null {
  const s = useStyles();
  const { t } = useI18n();
  const scope = useMemo<CardScope>(
    () => ({ item: null, itemKey: NO_ITEM_KEY, patchClient, reload: noop }),
    [patchClient],
  );
  const top = stack.at(-1);
  if (!top) return null;
  return (
    <CardScopeContext.Provider value={scope}>
      <ItemLogContext.Provider value={null}>
        <OpenClientContext.Provider value={onOpen}>
          <div className={s.root}>
            <Button
              className={s.back}
              size="small"
              appearance="subtle"
              icon={<Icon name="back" />}
              onClick={onBack}
            >
              {backLabel ?? t.back}
            </Button>
            <Caption1 className={s.note}>{t.cardNoItem}</Caption1>
            <ClientDetail key={top.clientId} target={top} />
          </div>
        </OpenClientContext.Provider>
      </ItemLogContext.Provider>
    </CardScopeContext.Provider>
  );
}

import type { ClientCardDto } from '@crm/shared';
import { Caption1, Link, makeStyles, tokens } from '@fluentui/react-components';
import type { JSX } from 'react';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { ShortList } from '../ui/layout.tsx';
import { useOpenClient } from './open-client.ts';

const useStyles = makeStyles({
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  icon: { flexShrink: 0, color: tokens.colorNeutralForeground3 },
  text: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** Related companies and people; each opens its own card (GET /clients/:id). */
export function RelatedBlock({ related }: { related: ClientCardDto['related'] }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  const open = useOpenClient();
  return (
    <ShortList
      items={related}
      keyOf={(r) => `${r.clientId}:${r.role}:${r.direction}`}
      render={(r) => (
        <div className={s.row}>
          <Icon name={r.kind === 'individual' ? 'person' : 'building'} size={16} className={s.icon} />
          <span className={s.text}>
            <Link as="button" onClick={() => open({ clientId: r.clientId, displayName: r.displayName })}>
              {r.displayName}
            </Link>
            <Caption1 className={s.muted}>{t.relationRoles[r.role][r.direction]}</Caption1>
          </span>
        </div>
      )}
    />
  );
}

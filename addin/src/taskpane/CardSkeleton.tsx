import { makeStyles, Skeleton, SkeletonItem, tokens } from '@fluentui/react-components';
import type { JSX } from 'react';
import { useI18n } from '../ui/i18n.ts';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow4,
  },
  head: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  grow: { flexGrow: 1 },
  short: { width: '60%' },
});

/** The shape of a client card while it loads. */
export function CardSkeleton({ label }: { label?: string }): JSX.Element {
  const s = useStyles();
  const { t } = useI18n();
  return (
    <Skeleton className={s.root} aria-label={label ? `${t.loading} ${label}` : t.loading} aria-busy="true">
      <div className={s.head}>
        <SkeletonItem shape="circle" size={32} />
        <SkeletonItem className={s.grow} size={20} />
      </div>
      <SkeletonItem className={s.short} size={12} />
      <SkeletonItem size={12} />
      <SkeletonItem size={12} />
      <SkeletonItem className={s.short} size={12} />
      <SkeletonItem size={32} />
    </Skeleton>
  );
}

import { makeStyles, tokens } from '@fluentui/react-components';

/**
 * What every form in the pane looks like: a tinted panel with its fields stacked; `pair` puts two short fields
 * side by side (minmax(0, …): a control's intrinsic width, e.g. an input's 20 characters, must not push a
 * 320 px pane wider), `fill` for the controls in it; `actions` is the row of buttons; `start` keeps a lone
 * button at its own width.
 */
export const usePaneFormStyles = makeStyles({
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  pair: {
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)',
    gap: tokens.spacingHorizontalS,
  },
  fill: { minWidth: 0, width: '100%' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  start: { alignSelf: 'flex-start' },
});

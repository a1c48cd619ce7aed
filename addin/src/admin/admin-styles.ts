import { type GriffelStyle, tokens } from '@fluentui/react-components';

/**
 * Style rules the admin sections share. Each section names the ones it uses in its own `makeStyles`
 * (`table: adminStyles.table`), next to the rules only it has.
 */
export const adminStyles = {
  /** A section's column: its parts one under another. */
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  /** The lists beside the editing panel, wrapping under each other when narrow. */
  layout: { display: 'flex', gap: tokens.spacingHorizontalL, alignItems: 'flex-start', flexWrap: 'wrap' },
  /** Several lists, one under another, left of the panel. */
  lists: {
    flexGrow: 1,
    flexBasis: '520px',
    minWidth: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
  },
  /** One list with its heading. */
  block: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  /** A heading with buttons beside it. */
  head: { display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  /**
   * Columns sized by their content (Fluent's default `fixed` layout gives every column the same width, so long
   * words ran into the next column). Text wraps between words; a word longer than its column breaks rather
   * than spilling over its neighbour.
   */
  table: {
    backgroundColor: tokens.colorNeutralBackground1,
    tableLayout: 'auto',
    overflowWrap: 'break-word',
    wordBreak: 'normal',
  },
  /** A row that opens its record's form on click (the name button stays for the keyboard). */
  clickableRow: { cursor: 'pointer' },
  selected: { backgroundColor: tokens.colorNeutralBackground1Selected },
  // Wide tables scroll in their own box at high zoom rather than widening the page.
  scroll: { overflowX: 'auto', maxWidth: '100%' },
  /** The editing panel right of the lists. */
  panel: {
    flexBasis: '380px',
    flexShrink: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
  },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  filters: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'flex-end' },
  muted: { color: tokens.colorNeutralForeground3 },
  // The record's name opens its form: a left-aligned link-like button, the whole name on as few lines as fit.
  nameButton: {
    justifyContent: 'flex-start',
    textAlign: 'start',
    paddingInline: 0,
    minWidth: 0,
    fontWeight: tokens.fontWeightSemibold,
  },
  nameCell: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start' },
  wideColumn: { width: '34%' },
} satisfies Record<string, GriffelStyle>;

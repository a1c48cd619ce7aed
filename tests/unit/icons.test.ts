import { describe, expect, it } from 'vitest';
import { ICON_PATHS } from '../../addin/src/ui/icon-paths.ts';

// The gear icon's path once ended in a stray quote: Chromium logged "Expected path command" on every load.
describe('inlined icons', () => {
  it.each(Object.entries(ICON_PATHS))('%s is SVG path data only', (_name, [grid, d]) => {
    expect([16, 20, 24]).toContain(grid);
    expect(d).toMatch(/^[Mm][MmLlHhVvCcSsQqTtAaZz0-9.,\s-]*$/);
  });
});

import type { JSX } from 'react';

import { ICON_PATHS } from './icon-paths.ts';

export type IconName = keyof typeof ICON_PATHS;

/** A decorative icon in the current text colour; `size` in px (defaults to the path's native grid). */
export function Icon({
  name,
  size,
  className,
}: {
  name: IconName;
  size?: number;
  className?: string;
}): JSX.Element {
  const [grid, d] = ICON_PATHS[name];
  const px = size ?? grid;
  return (
    <svg
      className={className}
      width={px}
      height={px}
      viewBox={`0 0 ${grid} ${grid}`}
      fill="currentColor"
      aria-hidden="true"
      focusable="false"
    >
      <path d={d} />
    </svg>
  );
}

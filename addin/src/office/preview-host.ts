import type { DemoItemDto } from '@crm/shared';
import { type MailHost, type MailItemContext, type ThemeKind, toMailItemContext } from './mail-host.ts';

/** The preview host plus the control the demo inbox uses to select an item. */
export type PreviewHost = MailHost & {
  /** Selects a demo item (null: nothing selected) and notifies the pane as Outlook's ItemChanged would. */
  selectItem(item: DemoItemDto | null): void;
  selectedId(): string | null;
};

/**
 * A fake host for preview mode (a plain browser tab, no Office): the demo inbox selects items and the pane
 * receives them through the same `MailHost` interface as inside Outlook, so both run one code path.
 */
export function createPreviewHost(opts: {
  mailbox: string;
  displayLanguage: string;
  theme: ThemeKind | null;
}): PreviewHost {
  let current: MailItemContext | null = null;
  let currentId: string | null = null;
  const handlers = new Set<(item: MailItemContext | null) => void>();
  return {
    kind: 'preview',
    displayLanguage: opts.displayLanguage,
    theme: opts.theme,
    readCurrentItem: async () => current,
    onItemChanged: async (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    selectItem(item) {
      currentId = item?.id ?? null;
      current = item ? toMailItemContext({ ...item, itemId: item.id }, [opts.mailbox]) : null;
      // Asynchronous like Outlook's event, so a click handler finishes before the pane re-renders.
      const snapshot = current;
      queueMicrotask(() => {
        for (const h of handlers) h(snapshot);
      });
    },
    selectedId: () => currentId,
  };
}

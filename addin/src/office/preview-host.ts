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
  let demo: DemoItemDto | null = null;
  const logIdOf = (d: DemoItemDto) =>
    d.itemType === 'appointment' ? `<ical-uid:${d.id}@demo.bank.example>` : d.internetMessageId;
  const handlers = new Set<(item: MailItemContext | null) => void>();
  return {
    kind: 'preview',
    displayLanguage: opts.displayLanguage,
    theme: opts.theme,
    readCurrentItem: async () => current,
    readItemDetails: async () =>
      demo
        ? {
            logId: logIdOf(demo),
            attachments: (demo.attachments ?? []).map((a) => ({ ...a, cloud: false })),
          }
        : null,
    // The demo inbox has no MIME sources: the item's fields, the preview as its body.
    readItemContent: async (expectedLogId, attachmentIds) => {
      const d = demo;
      if (!d || logIdOf(d) !== expectedLogId) throw new Error('Another item was selected');
      const party = (x: { displayName: string; emailAddress: string } | null) =>
        x ? { name: x.displayName, address: x.emailAddress } : null;
      const parties = (xs: { displayName: string; emailAddress: string }[]) =>
        xs.flatMap((x) => party(x) ?? []);
      const meeting = d.itemType === 'appointment';
      return {
        kind: 'item',
        item: {
          kind: meeting ? 'meeting' : 'message',
          ...(meeting ? {} : { internetMessageId: d.internetMessageId }),
          subject: d.subject,
          sentAt: d.dateTimeCreated,
          from: party(meeting ? d.organizer : d.from),
          to: parties(meeting ? d.requiredAttendees : d.to),
          cc: parties(meeting ? d.optionalAttendees : d.cc),
          bodyText: d.bodyPreview,
          ...(d.bodyHtml ? { bodyHtml: d.bodyHtml } : {}),
          ...(meeting
            ? {
                meeting: {
                  uid: `${d.id}@demo.bank.example`,
                  start: d.start ?? null,
                  end: d.end ?? null,
                  location: d.location ?? null,
                },
              }
            : {}),
          attachments: (d.attachments ?? [])
            .filter((a) => attachmentIds.includes(a.id) && a.contentBase64 !== undefined)
            .map((a) => ({
              name: a.name,
              contentType: a.contentType,
              contentBase64: a.contentBase64 ?? '',
              isInline: a.isInline,
            })),
        },
      };
    },
    onItemChanged: async (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    selectItem(item) {
      currentId = item?.id ?? null;
      demo = item;
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

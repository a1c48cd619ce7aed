import type { CalendarSyncDto, TaskDto } from '@crm/shared';
import { Badge, Button, Tooltip } from '@fluentui/react-components';
import type { JSX } from 'react';
import { shortDateTime } from '../ui/format.ts';
import { useI18n } from '../ui/i18n.ts';
import { Icon } from '../ui/icons.tsx';
import { useAddToCalendar } from './mail-host-context.ts';

const COLOR = {
  pending: 'informative',
  synced: 'success',
  failed: 'danger',
  not_syncable: 'warning',
  removed_in_outlook: 'subtle',
} as const;

/** The task's Outlook calendar state as a small badge; the tooltip says what it means (and why it failed). */
export function CalendarSyncBadge({ sync }: { sync: CalendarSyncDto | null }): JSX.Element | null {
  const { t, lang } = useI18n();
  if (!sync) return null;
  const reason = sync.reason ?? '—';
  const tip = {
    pending: t.calendarSyncTip.pending,
    synced: t.calendarSyncTip.synced(sync.syncedAt ? shortDateTime(sync.syncedAt, lang) : '—'),
    failed: t.calendarSyncTip.failed(reason),
    not_syncable: t.calendarSyncTip.not_syncable(reason),
    removed_in_outlook: t.calendarSyncTip.removed_in_outlook,
  }[sync.state];
  return (
    <Tooltip content={tip} relationship="description" withArrow>
      <Badge
        size="small"
        appearance="tint"
        color={COLOR[sync.state]}
        tabIndex={0}
        data-calendar-sync={sync.state}
      >
        {t.calendarSync[sync.state]}
      </Badge>
    </Tooltip>
  );
}

const DEFAULT_MINUTES = 30;

/** "Add to my calendar": Outlook's new-appointment form prefilled with the task; nothing in preview mode. */
export function AddToCalendarButton({ task }: { task: TaskDto }): JSX.Element | null {
  const { t } = useI18n();
  const open = useAddToCalendar();
  const at = task.plannedStartAt ?? task.dueAt;
  if (!open || !at) return null;
  const onClick = () => {
    let start = new Date(at);
    let end: Date;
    if (task.allDay) {
      start = new Date(start.getFullYear(), start.getMonth(), start.getDate());
      end = new Date(start.getTime() + 86_400_000);
    } else {
      const minutes = task.plannedDurationMinutes ?? task.effortEstimateMinutes ?? DEFAULT_MINUTES;
      end = new Date(start.getTime() + minutes * 60_000);
    }
    open({
      subject: task.title,
      start,
      end,
      body: `${window.location.origin}/?task=${task.id}`,
    });
  };
  return (
    <Tooltip content={t.addToCalendarFor(task.title)} relationship="label">
      <Button size="small" appearance="subtle" icon={<Icon name="calendar" />} onClick={onClick} />
    </Tooltip>
  );
}

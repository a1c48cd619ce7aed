import { type DayKind, minutesOfTime, type WorkingCalendar } from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/** Monday-Friday 09:00-18:00, for branches without a `branch_calendars` row. */
const DEFAULTS = { workDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '18:00', country: 'RU' };

/**
 * The working calendar of a branch (shared `WorkingCalendar`): its time zone (`branches.time_zone`), working
 * days and hours (`branch_calendars`, else Monday-Friday 09:00-18:00) and the production-calendar days of its
 * country and region (`holidays`; region rows match `branches.region`) from a week before `from` for
 * `horizonDays`. A null branch gets the defaults in Moscow time.
 */
export async function loadWorkingCalendar(
  db: Db,
  branchId: string | null,
  from: Date,
  horizonDays = 400,
): Promise<WorkingCalendar> {
  const row = branchId
    ? await db
        .selectFrom('branches as b')
        .leftJoin('branch_calendars as bc', 'bc.branch_id', 'b.id')
        .where('b.id', '=', branchId)
        .select(['b.time_zone', 'b.region', 'bc.work_days', 'bc.day_start', 'bc.day_end', 'bc.country'])
        .executeTakeFirst()
    : undefined;
  const country = row?.country ?? DEFAULTS.country;
  const region = row?.region ?? null;
  const start = new Date(from.getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
  const holidays = await db
    .selectFrom('holidays')
    .where('country', '=', country)
    .where((eb) => eb.or([eb('region', 'is', null), eb('region', '=', region ?? '')]))
    .where(sql<boolean>`date >= ${start}::date and date < ${start}::date + ${horizonDays}::int`)
    // Regional rows override the country's for the same day.
    .orderBy(sql`region nulls first`)
    .select(['date', 'kind'])
    .execute();
  const days = new Map<string, DayKind>();
  for (const h of holidays) days.set(h.date, h.kind);
  return {
    timeZone: row?.time_zone ?? 'Europe/Moscow',
    workDays: row?.work_days ?? DEFAULTS.workDays,
    dayStartMinute: minutesOfTime(row?.day_start ?? DEFAULTS.dayStart),
    dayEndMinute: minutesOfTime(row?.day_end ?? DEFAULTS.dayEnd),
    days,
  };
}

import { AppError, type TaskDto, TeamView, type TeamViewDto } from '@crm/shared';
import { sql } from 'kysely';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { taskJson } from '../clients/clients.repository.ts';

const TASKS_PER_MEMBER = 20;

/**
 * GET /team — the supervisor's "Team" view: per member open and overdue tasks, effort planned (estimates of
 * open tasks) vs done (estimates of tasks completed in the last 30 days; actual effort is not recorded yet),
 * whether their calendar can be synced, and their open tasks overdue first. An RM gets themself ("My tasks");
 * credit officers and admins have no team (403).
 */
export async function teamRoutes(app: ApiApp, opts: { db: Db }) {
  app.get(
    '/team',
    { schema: { tags: ['tasks'], response: { 200: TeamView } } },
    async (request): Promise<TeamViewDto> => {
      const p = request.principal;
      if (p.role !== 'supervisor' && p.role !== 'relationship_manager')
        throw new AppError('FORBIDDEN', 'Only supervisors and relationship managers have a task view');
      const ids = p.teamIds;
      const members = await opts.db
        .selectFrom('users as u')
        .leftJoin('mailbox_sync_state as m', 'm.user_id', 'u.id')
        .where('u.id', '=', sql<string>`any(${ids}::uuid[])`)
        .select([
          'u.id',
          'u.name',
          sql<
            string | null
          >`case when m.state = 'not_syncable' then coalesce(m.reason, 'not syncable') end`.as('reason'),
          sql<number>`(select count(*)::int from tasks t where t.assignee_id = u.id and t.status in ('open', 'in_progress'))`.as(
            'open',
          ),
          sql<number>`(select count(*)::int from tasks t where t.assignee_id = u.id and t.status in ('open', 'in_progress') and t.due_at < now())`.as(
            'overdue',
          ),
          sql<number>`(select coalesce(sum(t.effort_estimate_minutes), 0)::int from tasks t where t.assignee_id = u.id and t.status in ('open', 'in_progress'))`.as(
            'planned',
          ),
          sql<number>`(select coalesce(sum(t.effort_estimate_minutes), 0)::int from tasks t where t.assignee_id = u.id and t.status = 'done' and t.completed_at > now() - interval '30 days')`.as(
            'done',
          ),
        ])
        .execute();
      const tasks = await sql<{ assignee_id: string; task: TaskDto }>`select x.assignee_id, x.task from (
        select t.assignee_id, ${taskJson('t')} as task,
          row_number() over (partition by t.assignee_id
            order by (t.due_at < now()) desc nulls last, coalesce(t.due_at, t.planned_start_at) nulls last, t.created_at) as n
        from tasks t join users ta on ta.id = t.assignee_id join users tu on tu.id = t.author_id
        where t.assignee_id = any(${ids}::uuid[]) and t.status in ('open', 'in_progress')) x
      where x.n <= ${TASKS_PER_MEMBER} order by x.n`.execute(opts.db);
      const byMember = new Map<string, TaskDto[]>();
      for (const r of tasks.rows)
        byMember.set(r.assignee_id, [...(byMember.get(r.assignee_id) ?? []), r.task]);
      return {
        members: members
          .map((m) => ({
            user: { id: m.id, name: m.name },
            openTasks: m.open,
            overdueTasks: m.overdue,
            effortPlannedMinutes: m.planned,
            effortDoneMinutes: m.done,
            calendarNotSyncableReason: m.reason,
            tasks: byMember.get(m.id) ?? [],
          }))
          .sort((a, b) => b.overdueTasks - a.overdueTasks || a.user.name.localeCompare(b.user.name)),
      };
    },
  );
}

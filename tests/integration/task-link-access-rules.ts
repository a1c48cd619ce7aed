import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

// The access-matrix rule of a task opened from its link (access-matrix.test.ts spreads it into its RULES):
// GET /tasks/:id answers as PATCH does (assignee, author, the assignee's supervisor; others 404), and every
// call is audited as a read of the task's client (a refusal by task id only: whose client is not told).

type Who = 'rm' | 'supervisor' | 'creditOfficer' | 'admin' | 'rmWithAdminGrant';
type Target = 'own' | 'other';
type Audit = { action: string; result: 'ok' | 'denied'; withClient: boolean } | null;
type Ctx = { clients: Record<Target, string>; tasks: Record<Who, Record<Target, string>> };
type Rule = {
  request: (c: Ctx, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  check?: (res: LightMyRequestResponse, c: Ctx, who: Who, target: Target) => void;
  audit?: (who: Who, target: Target) => Audit;
};

export function taskLinkRules(sees: (who: Who, target: Target) => boolean): Record<string, Rule> {
  return {
    'GET /api/v1/tasks/:id': {
      request: (c, who, target) => ({ url: `/api/v1/tasks/${c.tasks[who][target]}` }),
      status: (who, target) => (sees(who, target) ? 200 : 404),
      check: (res, c, who, target) => {
        if (!sees(who, target)) return;
        const body = res.json();
        expect(body.task.id).toBe(c.tasks[who][target]);
        expect(body.client.id).toBe(c.clients[target]);
      },
      audit: (who, target) =>
        sees(who, target)
          ? { action: 'task.read', result: 'ok', withClient: true }
          : { action: 'task.read', result: 'denied', withClient: false },
    },
  };
}

import { describe, expect, it } from 'vitest';
import { taskTypeName } from '../../addin/src/taskpane/task-catalog.ts';
import { dictionaries } from '../../addin/src/ui/i18n.ts';

// The pane's task type names before the catalog has loaded: built-in names, else the code itself.
describe('task type names without the catalog', () => {
  it('uses the built-in name of a built-in type', () => {
    expect(taskTypeName('call', 'en', dictionaries.en, { kind: 'loading' })).toBe(
      dictionaries.en.taskTypes.call,
    );
  });
  it('shows an admin-made code as it is, even one named like an Object property (break-it review)', () => {
    for (const code of ['constructor', 'toString', '__proto__', 'office_meeting'])
      expect(taskTypeName(code, 'ru', dictionaries.ru, { kind: 'loading' })).toBe(code);
  });
});

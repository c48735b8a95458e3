import { jinjaToJson } from './python-values.js'

/** Characters of the task's beginning that must appear: a template may cut a long task short (`task[:2000]`). */
const TASK_HEAD = 200

/** Whether the first messages show the task's beginning, as is or as `tojson` prints it (without it the agent has nothing to do). */
export function showsTask(messages: readonly string[], task: string): boolean {
  const head = Array.from(task).slice(0, TASK_HEAD).join('')
  const asJson = jinjaToJson(head).slice(1, -1)
  return messages.some((message) => message.includes(head) || message.includes(asJson))
}

/** What is wrong with templates that never show the task (`who`: ` to agent2`, or '' in solo; `when`: with which values). */
export function taskNotShown(who: string, when = ''): string {
  return `the agent config's agent.instance_template and agent.system_template never show the task${who}${when}: the agent would have nothing to do`
}

/** How to fix them. */
export const TASK_NOT_SHOWN_FIX =
  "Put {{ task }} in agent.instance_template for every agent, outside any condition on the run's values (image, backend, …), as the reference configurations do."

/** A feature.md shaped like the dataset's, so a template testing the task (`task|length`, `'Title' in task`) renders as for a real one. */
export const PREFLIGHT_TASK = [
  '**Title**: Add a `--dry-run` option to the `sync` command (cooperbench preflight placeholder)',
  '',
  '**Pull Request Details**',
  '',
  '**Description**:',
  'Adds a `--dry-run` option to `sync`: it lists the files that would be copied, changed or removed, and copies nothing.',
  '',
  '**Technical Background**:',
  '**Problem**: Users cannot see what `sync` will do before it does it. A mistyped target folder overwrites files',
  "that can't be recovered, and the only way to check is to run it on a copy of the data first.",
  '',
  '**Solution**: A flag on the command that walks the same plan and prints each action instead of running it:',
  '',
  '```python',
  'def sync(source: Path, target: Path, dry_run: bool = False) -> list[Action]:',
  '    actions = plan(source, target)',
  '    if not dry_run:',
  '        apply(actions)',
  '    return actions',
  '```',
  '',
  '**Files Modified**',
  '- `src/cli/sync.py`',
  '- `tests/test_sync.py`',
].join('\n')

import { type GoldFeature, heredoc } from './gold-commands.js'

/**
 * Whether the task is a planner's of the `plan-execute` example setting (examples/setting-plan-execute):
 * its planning section asks for a plan in `plan.txt` and no code.
 */
export function isPlanner(task: string): boolean {
  return /^## Planning phase$/m.test(task) && task.includes('`plan.txt`')
}

/**
 * The command that hands in a planner's plan: `plan.txt` naming the files the feature's gold patch
 * changes, with the feature's whole description in it, so the executor given the plan (and nothing
 * else) is recognised as that feature's and applies its gold patch.
 */
export function writePlan(mine: GoldFeature[], files: string[]): string {
  const plan = [
    `Plan: change ${files.length === 0 ? 'no file' : files.join(', ')}, and nothing else.`,
    '',
    'What the feature must do:',
    '',
    ...mine.map((feature) => feature.spec),
  ].join('\n')
  return heredoc('plan.txt', plan)
}

import type { AgentRunContext } from '@cooperbench/spec'

/** How upstream's adapters join a task and the block they append to it (`team_task_section`, 0.0.15–0.0.16). */
const SEPARATOR = '\n\n---\n\n'

/**
 * `{{ task }}` for prompts that follow upstream's: the instructions, then after a `---` rule the seat's briefing in upstream's
 * own words, else its sections as headings (none: the instructions alone).
 */
export function taskWithBriefing(ctx: Pick<AgentRunContext, 'instructions' | 'coordination'>): string {
  const { sections, upstream } = ctx.coordination.briefing
  const block = upstream ?? sections.map(({ title, body }) => `## ${title}\n\n${body}`).join('\n\n')
  return block === '' ? ctx.instructions : `${ctx.instructions}${SEPARATOR}${block}`
}

import { CooperbenchError } from '@cooperbench/spec'

type Raw = Record<string, unknown>

/** Where swe_agent's configuration comes from, as a user wrote it. */
const WHERE = 'the swe_agent configuration (the --agent-config file, or agents.swe_agent.agent in the config file)'

/** The keys of SWE-agent's configuration a run needs, and the file that has them. */
const NEEDED_KEYS_HINT =
  "swe_agent reads SWE-agent's `agent:` block: agent.templates.system_template, agent.templates.instance_template (which shows " +
  "{{problem_statement}}) and agent.tools.bundles. Pass upstream's file as it is: --agent-config " +
  '<checkout>/src/cooperbench/agents/swe_agent/config/coop.yaml (default.yaml for solo); see docs/user-guide.md#swe-agent--a-swe_agent'

/**
 * CONFIG_INVALID for an `agent:` block without `templates.instance_template`: SWE-agent would send an empty
 * message, the agent would have no task, and its pair would be scored as its failure. mini-SWE's block (its
 * templates directly under `agent:`) is the likely mistake, so it is named.
 */
export function refuseTasklessConfig(agent: Raw, templates: Raw): void {
  if (typeof templates['instance_template'] === 'string') return
  const miniSwe = ['system_template', 'instance_template'].filter((key) => typeof agent[key] === 'string')
  const why =
    miniSwe.length > 0 ? `; it has ${miniSwe.map((key) => `agent.${key}`).join(' and ')}, which are mini_swe_agent's keys (a mini-SWE configuration?)` : ''
  throw new CooperbenchError(
    'CONFIG_INVALID',
    `${WHERE} has no agent.templates.instance_template, the message that shows the task: the agents would start with nothing to do${why}`,
    { hint: NEEDED_KEYS_HINT },
  )
}

/** What is wrong with templates that render without the task (`who`: ` to agent2`, or '' alone; `when`: with which values). */
export function taskNotShown(who: string, when = ''): string {
  return `agent.templates.system_template and instance_template of ${WHERE} never show the task${who}${when}: the agent would have nothing to do`
}

/** How to fix them. */
export const TASK_NOT_SHOWN_FIX =
  "Put {{problem_statement}} in agent.templates.instance_template for every agent, outside any condition, as upstream's config/coop.yaml and config/default.yaml do."

import { type Agent, type AgentRunContext, CooperbenchError } from '@cooperbench/spec'
import type { ReferenceProtocol } from './config.js'
import { followsAtLeast, type ReferenceVersion } from './reference-version.js'
import type { JinjaTemplate } from './jinja.js'
import { PREFLIGHT_TASK, showsTask, TASK_NOT_SHOWN_FIX, taskNotShown } from './task-shown.js'
import { referenceTemplateVars } from './template-vars.js'

/** What an agent's preflight is told about the run. */
export type AgentPreflight = Parameters<NonNullable<Agent['preflight']>>[0]

/**
 * Renders every template of a reference configuration once with this run's variables (a realistic task, short and long
 * outputs, a format error), so an undefined variable or Python error stops the run before any pair starts. What only a
 * pair knows (task, image) is a placeholder: the run checks the task is shown again (`openingProblem`).
 */
export function tryReferenceTemplates(protocol: ReferenceProtocol, setup: AgentPreflight): void {
  // An older host does not say: a pair's.
  const run = setup.run ?? { messaging: true, git: false, agents: 2 }
  const together = run.agents > 1
  const team = together ? Array.from({ length: run.agents }, (_, i) => `agent${i + 1}`) : ['solo']
  // Every agent of the run: a template may show the task to some agents only (`{% if agent_id == 'agent1' %}`).
  for (const agentId of team) {
    const vars = referenceTemplateVars(protocol, {
      agentId,
      team,
      messaging: together && run.messaging,
      git: together && run.git,
      task: PREFLIGHT_TASK,
      model: setup.model,
      image: 'task-image',
      // The reference's environment settings depend on it (modal's differ); an older host does not say: docker's.
      backend: setup.backend?.name ?? 'docker',
      calls: 0,
      cost: 0,
    })
    const [system, instance] = renderAll(protocol, vars, agentId)
    // An agent given no feature text would run its steps on nothing, and its pair be scored failed.
    if (!showsTask([system, instance], PREFLIGHT_TASK)) {
      throw new CooperbenchError('CONFIG_INVALID', taskNotShown(together ? ` to ${agentId}` : ''), { hint: TASK_NOT_SHOWN_FIX })
    }
  }
}

/** Renders each template once as the run will (a short and a long command output, a format error); returns the system and instance messages. */
function renderAll(protocol: ReferenceProtocol, vars: Record<string, unknown>, agentId: string): [string, string] {
  const render = (name: string, template: JinjaTemplate, given: Record<string, unknown> = vars) => {
    try {
      return template.render(given)
    } catch (error) {
      throw new CooperbenchError('CONFIG_INVALID', `the agent config's ${name} does not render for agent ${agentId}: ${(error as Error).message}`, {
        hint: 'The reference renders it with StrictUndefined: every variable it uses must exist (docs/reproducing-the-paper.md lists them).',
      })
    }
  }
  const system = render('agent.system_template', protocol.systemTemplate)
  const instance = render('agent.instance_template', protocol.instanceTemplate)
  render('model.observation_template', protocol.observationTemplate, { ...vars, output: { output: 'ok\n', returncode: 0, exception_info: '' } })
  const long = { output: 'x'.repeat(20_000), returncode: 1, exception_info: 'timed out' }
  render('model.observation_template', protocol.observationTemplate, { ...vars, output: long })
  // The reference renders it with the error alone.
  render('model.format_error_template', protocol.formatErrorTemplate, { error: 'No tool calls found in the response.' })
  return [system, instance]
}

const warned = new Set<string>()

/** Says once per configuration: an upstream protocol other than 0.0.14's, keys without effect, a reference default we do not ship. */
export function warnOnce(ctx: AgentRunContext, protocol: ReferenceProtocol): void {
  if (warned.has(protocol.digest)) return
  warned.add(protocol.digest)
  if (protocol.submission === 'after-marker') {
    ctx.logger.info(
      "agent config: upstream 0.0.12–0.0.13's protocol is in force (the templates submit with `echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && cat patch.txt`): the text the submit command prints after the marker is evaluated, not patch.txt",
    )
  }
  const later = laterReleaseNotice(protocol.version)
  if (later !== null) ctx.logger.info(later)
  for (const key of protocol.ignored) ctx.logger.warn(`agent config: ${key}`)
  if (protocol.compaction.enabled && protocol.compaction.summaryPrompt === null) {
    ctx.logger.warn(
      "agent config: compaction is on without agent.compaction_summary_prompt; the reference's default prompt is in its source, so compactions use cooperbench's (docs/reproducing-the-paper.md)",
    )
  }
}

/** The line a run under a release after 0.0.14 prints once: what it follows of it, and what not. */
export function laterReleaseNotice(version: ReferenceVersion): string | null {
  if (!followsAtLeast(version, '0.0.22')) return null
  const followed = [
    "0.0.22's messaging (a send to a colleague who exited is refused, --wait waits up to 60 s for the reply or the colleague's exit, an exit is announced once)",
  ]
  if (!followsAtLeast(version, '0.0.23')) followed.push("0.0.22's publication of each agent's patch.txt to team/<agent> at its exit (with --git)")
  else {
    followed.push(
      "0.0.23's submission through a pull request (`gh pr create` over the remote origin; the branch of the pull request is evaluated, not patch.txt)",
    )
  }
  if (followsAtLeast(version, '0.0.24'))
    followed.push(
      "0.0.24's fixes (a pushed branch counts without a pull request, origin checked, conflicts and --body-file in gh pr create, at most two nudges to share unsubmitted work)",
    )
  if (followsAtLeast(version, '0.0.25')) followed.push('a 300 s command timeout (command_timeout_seconds wins) whose expiry the agent is told of (0.0.25)')
  if (followsAtLeast(version, '0.0.27'))
    followed.push("a malformed send_message answered with the parse error, a waiting sender's message marked BLOCKED (0.0.27)")
  if (followsAtLeast(version, '0.0.28')) followed.push("cargo's, go's and /usr/local/bin before every command's PATH (0.0.28)")
  const over = followsAtLeast(version, '0.0.23') ? 'with the pull-request submission' : "over 0.0.14's patch.txt protocol"
  return `agent config: upstream ${version}'s agent-visible changes are in force ${over} (reference_version): ${followed.join('; ')}; see docs/reproducing-the-paper.md`
}

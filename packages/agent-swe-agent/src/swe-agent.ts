import { type ChatModel, type ChatModelOptions, knowsPriceByName, PREFLIGHT_TASK, probeModelServer, showsTask } from '@cooperbench/agent-mini-swe'
import { type Agent, type AgentResult, type AgentRunContext, CooperbenchError, errorMessage } from '@cooperbench/spec'
import { SweAgentLoop } from './loop.js'
import { type RunVars, runVars } from './run-vars.js'
import { ADAPTER_DEFAULTS, type SweAgentOptions } from './options.js'
import { readSweAgentConfig, type SweAgentConfig } from './swe-config.js'
import { TASK_NOT_SHOWN_FIX, taskNotShown } from './task-shown.js'

/** What the agent needs besides its options; injected so tests can script the model. */
export interface SweAgentDeps {
  createModel(options: ChatModelOptions): ChatModel
}

type Preflight = Parameters<NonNullable<Agent['preflight']>>[0]

/** Configurations read so far, by the options object they came in (a run hands the same object to every hook and agent). */
const configs = new WeakMap<object, SweAgentConfig>()

/** The options' SWE-agent configuration, read once per options object. */
export function sweAgentConfigOf(options: SweAgentOptions): SweAgentConfig {
  const config = configs.get(options) ?? readSweAgentConfig(options)
  configs.set(options, config)
  return config
}

/** Agent `swe_agent`: {@link SweAgentLoop} with the configuration and bundles the user passes. */
export class SweAgent implements Agent {
  readonly specificationVersion = 'agent-v1' as const
  readonly name = 'swe_agent'

  constructor(private readonly deps: SweAgentDeps) {}

  /** Before any pair: configuration and bundles read, templates rendered, the model client made, and a cost limit on an unpriced model refused. */
  async preflight(setup: Preflight): Promise<void> {
    const options = setup.options as SweAgentOptions
    const config = sweAgentConfigOf(options)
    // An older host does not say: a pair's.
    const run = setup.run ?? { messaging: true, git: false, agents: 2 }
    const together = run.agents > 1
    const agents = together ? Array.from({ length: run.agents }, (_, i) => `agent${i + 1}`) : []
    // Every agent of the run: a template may show the task to some agents only (`{% if agent_id == 'agent1' %}`).
    for (const agentId of together ? agents : ['solo']) {
      const opening = tryTemplates(config, {
        problem_statement: PREFLIGHT_TASK,
        agent_id: agentId,
        agents,
        messaging_enabled: together && run.messaging,
        git_enabled: together && run.git,
      })
      // An agent given no task would run its steps on nothing, and its pair be scored as its failure.
      if (!showsTask(opening, PREFLIGHT_TASK)) {
        throw new CooperbenchError('CONFIG_INVALID', taskNotShown(together ? ` to ${agentId}` : ''), { hint: TASK_NOT_SHOWN_FIX })
      }
    }
    const baseUrl = options.model_base_url ?? setup.modelBaseUrl ?? null
    this.deps.createModel({ model: setup.model, baseUrl, priceByName: true })
    if (baseUrl !== null) await probeModelServer(setup.model, baseUrl)
    if (setup.limits.costUsd > 0 && !knowsPriceByName(setup.model, baseUrl)) {
      throw new CooperbenchError(
        'CONFIG_INVALID',
        `no price is known for model ${setup.model}, and SWE-agent stops at the first call it cannot price under a cost limit ($${setup.limits.costUsd})`,
        {
          hint: 'Run without a cost limit, as SWE-agent asks for unpriced models: --cost-limit 0 (bound the run with --step-limit or --agent-timeout)',
        },
      )
    }
  }

  async run(ctx: AgentRunContext): Promise<AgentResult> {
    const options = ctx.options as SweAgentOptions
    const config = sweAgentConfigOf(options)
    const model = this.deps.createModel({
      model: ctx.model,
      baseUrl: options.model_base_url ?? ctx.modelBaseUrl ?? null,
      priceByName: true,
      // LiteLLM, SWE-agent's client, names no tool_choice; its bodies byte for byte.
      sendsToolChoice: false,
      liteLlmBodies: true,
      logger: ctx.logger,
    })
    const request = { temperature: options.temperature ?? ADAPTER_DEFAULTS.temperature, topP: 1 }
    return new SweAgentLoop(ctx, config, model, runVars(ctx), request, options.send_message === 'whole').start()
  }
}

/**
 * Renders each template once with these values, so an undefined variable stops the run before any pair starts;
 * returns the system and instance messages.
 */
function tryTemplates(config: SweAgentConfig, run: RunVars): string[] {
  const { templates } = config
  const vars = { ...config.envVariables, ...run, repo: '', working_dir: '/workspace/repo' }
  const step = { thought: '', action: 'ls', output: '', observation: 'ok', execution_time: 0, done: false, exit_status: null, submission: null, extra_info: {} }
  const tries: Array<[string, { render(v: Record<string, unknown>): string }, Record<string, unknown>]> = [
    ['system_template', templates.system, {}],
    ...templates.instance.map((t): [string, typeof t, Record<string, unknown>] => ['instance_template', t, {}]),
    ['next_step_template', templates.nextStep, { observation: 'ok', elided_chars: 0, max_observation_length: config.maxObservationLength }],
    ['next_step_no_output_template', templates.nextStepNoOutput, { observation: '', elided_chars: 0, max_observation_length: config.maxObservationLength }],
    ['next_step_truncated_observation_template', templates.truncatedObservation, { observation: 'x'.repeat(10), elided_chars: 5, max_observation_length: 5 }],
    ['format_error_template', templates.formatError, { ...step, error_code: 'missing', num_tools: 0, exception_message: 'No tool call.' }],
    ['shell_check_error_template', templates.shellCheckError, { ...step, bash_stdout: '', bash_stderr: 'syntax error', exception_message: 'syntax error' }],
    ['blocklist_error_template', templates.blocklistError, step],
    ['command_cancelled_timeout_template', templates.commandCancelledTimeout, { timeout: 120, command: 'sleep 999' }],
  ]
  const rendered = tries.map(([name, template, extra]) => {
    try {
      return template.render({ ...vars, ...extra })
    } catch (error) {
      throw new CooperbenchError('CONFIG_INVALID', `the swe_agent configuration's ${name} does not render for agent ${run.agent_id}: ${errorMessage(error)}`, {
        hint: 'Every variable a template uses must exist (docs/reproducing-the-paper.md#swe_agent lists them); SWE-agent would print an undefined one as nothing.',
      })
    }
  })
  // The system message, then the instance templates' (joined as the loop sends them).
  return [rendered[0]!, rendered.slice(1, 1 + templates.instance.length).join('\n')]
}

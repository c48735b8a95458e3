import { machine, hostname, release, type as osType, version } from 'node:os'
import type { ReferenceProtocol } from './config.js'

/** What the variables depend on besides the configuration. */
export interface TemplateContext {
  /** `agent1`, `agent2`, … or `solo`. */
  agentId: string
  /** Every agent of the pair, this one included; one (`solo`) in solo. */
  team: readonly string[]
  messaging: boolean
  git: boolean
  /** The task text, built as the reference's runner builds it (coop: feature.md as is; solo: the joined blocks). */
  task: string
  model: string
  /** The task image (the reference's environment variable `image`). */
  image: string
  backend: string
  /** Model calls so far and their cost (`n_model_calls`, `model_cost`). */
  calls: number
  cost: number
}

/**
 * The reference's template variables (`get_template_vars`), merged in this order, later wins: agent settings, environment
 * settings with this machine's `platform.uname()`, model settings, call counters, then `agent_id` (None for a lone agent),
 * `agents` (`[]` for one), `git_enabled`, `messaging_enabled`, `task`. Unset settings take the reference's defaults.
 */
export function referenceTemplateVars(protocol: ReferenceProtocol, ctx: TemplateContext): Record<string, unknown> {
  const team = ctx.team.length > 1
  const { agent, model } = protocol.settings
  const agentSettings = {
    ...protocol.limits,
    output_path: null,
    compaction_enabled: protocol.compaction.enabled,
    compaction_token_trigger: protocol.compaction.triggerTokens,
    compaction_keep_recent_turns: protocol.compaction.keepRecentTurns,
    ...Object.fromEntries(Object.entries(agent).filter(([key]) => key !== 'mode')),
    ...(protocol.compaction.summaryPrompt === null ? {} : { compaction_summary_prompt: protocol.compaction.summaryPrompt }),
  }
  const environmentSettings =
    ctx.backend === 'modal'
      ? { image: ctx.image, cwd: '/workspace/repo', timeout: 3600, env: protocol.env, max_retries: 5, retry_delay: 5 }
      : {
          image: ctx.image,
          cwd: '/workspace/repo',
          env: protocol.env,
          forward_env: [],
          timeout: 3600,
          executable: process.env['MSWEA_DOCKER_EXECUTABLE'] ?? 'docker',
          run_args: ['--rm'],
          network: ctx.git ? 'cooperbench' : null,
          container_timeout: '2h',
          pull_timeout: 120,
          interpreter: ['bash', '-lc'],
        }
  const platform = { system: osType(), node: hostname(), release: release(), version: version(), machine: machine(), processor: '' }
  const modelSettings = {
    model_name: ctx.model,
    model_kwargs: {},
    litellm_model_registry: process.env['LITELLM_MODEL_REGISTRY_PATH'] ?? null,
    set_cache_control: null,
    cost_tracking: process.env['MSWEA_COST_TRACKING'] ?? 'default',
    format_error_template: '{{ error }}',
    multimodal_regex: '',
    ...model,
  }
  return {
    ...agentSettings,
    ...environmentSettings,
    ...platform,
    ...modelSettings,
    n_model_calls: ctx.calls,
    model_cost: ctx.cost,
    agent_id: team ? ctx.agentId : null,
    agents: team ? [...ctx.team] : [],
    git_enabled: ctx.git,
    messaging_enabled: ctx.messaging,
    task: ctx.task,
  }
}

import type { Agent, AgentResult, AgentRunContext } from '@cooperbench/spec'
import { type AgentPreflight, tryReferenceTemplates, warnOnce } from '../reference/preflight.js'
import { referenceProtocol } from '../reference/reference-protocol.js'
import type { ChatModel, ChatModelOptions } from '../llm/index.js'
import { probeModelServer } from '../llm/probe.js'
import { cooperbenchProtocol } from './cooperbench-protocol.js'
import { readAgentConfig } from './agent-config.js'
import { MiniSweLoop } from './mini-swe-loop.js'
import type { MiniSweAgentOptions } from './options.js'

/** What the agent needs besides its options; injected so tests can script the model. */
export interface MiniSweAgentDeps {
  createModel(options: ChatModelOptions): ChatModel
  /** How long `send_message --wait` waits for a reply: 60 s (docs/reference-compatibility.md#messaging), shorter in tests. */
  replyTimeoutMs?: number
}

/** Agent `mini_swe_agent`: {@link MiniSweLoop} under profile `cooperbench-v1`'s protocol or a reference configuration's. */
export class MiniSweAgent implements Agent {
  readonly specificationVersion = 'agent-v1' as const
  readonly name = 'mini_swe_agent'

  constructor(
    readonly options: MiniSweAgentOptions,
    private readonly deps: MiniSweAgentDeps,
  ) {}

  /**
   * Creates the model client (keys, provider, project) without calling the model; with a base
   * URL, lists the server's models once (`probeModelServer`), so an unreachable endpoint, a
   * refused key or a URL that is not the API fails the run in one line instead of every pair
   * failing. A reference-format configuration's templates compile and render with this run's
   * variables, or the run stops here.
   */
  async preflight(setup: AgentPreflight): Promise<void> {
    const { options, reference, baseUrl: own } = readAgentConfig(setup.options, this.options)
    if (reference) tryReferenceTemplates(reference, setup)
    const baseUrl = own ?? setup.modelBaseUrl ?? null
    this.deps.createModel({ model: setup.model, baseUrl, ...callLimits(options) })
    if (baseUrl !== null) await probeModelServer(setup.model, baseUrl)
  }

  async run(ctx: AgentRunContext): Promise<AgentResult> {
    const config = readAgentConfig(ctx.options, this.options)
    const { options, reference } = config
    if (reference) warnOnce(ctx, reference)
    const model = this.deps.createModel({
      model: ctx.model,
      baseUrl: config.baseUrl,
      // The reference's client prices by the model's name whatever server answers (LiteLLM's completion_cost),
      // and its requests name no tool_choice (LiteLLM sends only what it is given).
      ...(reference ? { priceByName: true, sendsToolChoice: false } : {}),
      ...callLimits(options),
      logger: ctx.logger,
    })
    const protocol = reference ? referenceProtocol(reference, options, ctx) : cooperbenchProtocol(options, ctx, this.deps.replyTimeoutMs)
    return new MiniSweLoop(ctx, protocol, model).run()
  }
}

/** How long a model call may take and how often it is retried. */
function callLimits({ model }: MiniSweAgentOptions): Pick<ChatModelOptions, 'timeoutMs' | 'maxRetries'> {
  return { timeoutMs: model.timeout_seconds * 1000, maxRetries: model.max_retries }
}

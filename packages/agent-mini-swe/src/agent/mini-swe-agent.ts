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
   * Creates the model client without calling the model; with a base URL, lists the server's models once
   * (`probeModelServer`), so a bad endpoint or key fails the run in one line, not every pair. A reference
   * configuration's templates must compile and render with this run's variables.
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
      // The reference's client (LiteLLM) prices by the model's name whatever server answers, and sends no tool_choice.
      ...(reference ? { priceByName: true, sendsToolChoice: false } : {}),
      ...callLimits(options),
      logger: ctx.logger,
    })
    const protocol = reference ? referenceProtocol(reference, options, ctx) : cooperbenchProtocol(options, ctx, this.deps.replyTimeoutMs)
    return new MiniSweLoop(ctx, protocol, model).run()
  }
}

/** How long a model call may take, how often it is retried, and whether it asks for token ids. */
function callLimits({ model }: MiniSweAgentOptions): Pick<ChatModelOptions, 'timeoutMs' | 'maxRetries' | 'captureTokenIds'> {
  return { timeoutMs: model.timeout_seconds * 1000, maxRetries: model.max_retries, ...(model.capture_token_ids ? { captureTokenIds: true } : {}) }
}

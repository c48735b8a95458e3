import type { Agent, Backend, MessageBus, SeatAgent, Setting } from '@cooperbench/spec'
import { lifetimeOf, openScopeFor, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import { RunFolderRecords, type PairFolder } from '@cooperbench/results'
import { createBackend, ensureTasksSupported, reapLeftovers } from './backend-setup.js'
import { preflightWithinBound } from './deadlines.js'
import { ensurePairInputs } from './pair-inputs.js'
import { imageNaming, type RunPlan, type SeatPlan, seatPlanOf } from './plan.js'
import type { RunInput } from './run-input.js'
import { checkRunCompatibility } from './run-compatibility.js'
import { providePairBus, provideRunnerServices, RunnerTokens, type SeatAgentOf } from './scope-services.js'
import type { ScopeSinks } from './services.js'

/** The run scope and what the run itself needs of what it was opened with. */
export interface OpenedRun {
  scope: Scope
  /** The run's plan, as the run scope has it. */
  plan: RunPlan
  /** The run scope's results sinks. */
  sinks: ScopeSinks
  backend: Backend
  evaluatorName: string
  /** The run folder's pairs before this invocation. */
  onDiskBefore: PairFolder[]
  /** The run folder's records, scanned once as the run opens; result.json and eval.json are written through them. */
  records: RunFolderRecords
}

/**
 * The backend (leftovers reaped, tasks checked), the preflighted agent and bus, the evaluator, and the runner's services for the scopes
 * inside (sandboxes, sinks, a pair's bounded bus). Refuses a run folder holding results of another configuration.
 */
export async function openRunScope(input: RunInput, folder: string): Promise<OpenedRun> {
  const { plan, registry, logger } = input
  let opened!: Pick<OpenedRun, 'backend' | 'evaluatorName' | 'onDiskBefore' | 'records'>
  const { scope, services } = await openScopeFor(
    input.scope,
    'run',
    async (scope) => {
      const backend = await readyBackend(input, scope)
      const records = await RunFolderRecords.scan(folder)
      const onDiskBefore = records.pairs()
      for (const pair of onDiskBefore) for (const problem of pair.unreadable) logger.warn(`${problem}: that pair is run and evaluated again`)
      await checkRunCompatibility(folder, plan, onDiskBefore)
      const { agent, agentOptions } = await preflightedAgent(input, backend, seatPlanOf(plan, undefined))
      const seatAgents = new Map<string, SeatAgentOf>()
      for (const [role, seat] of Object.entries(plan.seats ?? {}))
        seatAgents.set(role, { plan: seat, agent: (await preflightedAgent(input, backend, seat)).agent })
      const bus = await ownedBus(input, scope)
      const setting = await preflightedSetting(input, backend, bus)
      const evaluator = await registry.create('evaluator', plan.evaluator, { options: plan.evaluatorOptions, logger })
      const evaluatorName = registry.get('evaluator', plan.evaluator).name
      const runPlan = { ...plan, agentOptions }
      opened = { backend, evaluatorName, onDiskBefore, records }
      provideRunnerServices(scope)
      providePairBus(scope)
      return [
        [Tokens.Plan, runPlan],
        [Tokens.EvalPlan, runPlan],
        [Tokens.Backend, backend],
        [Tokens.Agent, agent],
        [RunnerTokens.SeatAgents, seatAgents],
        [Tokens.Setting, setting],
        [Tokens.Evaluator, evaluator],
        ...(bus ? [[Tokens.Bus, bus] as const] : []),
      ]
    },
    { plan: Tokens.Plan, sinks: RunnerTokens.Sinks },
  )
  return { scope, ...services, ...opened }
}

/** The run's backend, once this run's sandboxes left by a dead process are gone and it can run every task. */
async function readyBackend({ plan, pairs, registry, logger, signal }: RunInput, scope: Scope): Promise<Backend> {
  const backend = await createBackend(registry, scope, plan.backend, plan.backendOptions, logger, signal, imageNaming(plan))
  await reapLeftovers(backend, plan.runName, logger)
  const tasks = pairs.map((p) => p.task)
  await ensureTasksSupported(backend, tasks, plan.imageLayer ? { layer: plan.imageLayer } : {})
  await ensurePairInputs(pairs, plan.autoEval)
  const estimate = backend.estimateCost?.({
    sandboxes: pairs.reduce((n, pair) => n + plan.settingShape.agents(pair.features.length) + (plan.autoEval ? 1 : 0), 0),
    sandboxMs: plan.agentTimeoutMs,
    concurrency: plan.concurrency,
  })
  if (estimate) logger.info(`cost estimate on ${backend.name}: at most $${estimate.usd.toFixed(2)} (${estimate.detail})`)
  return backend
}

/** An agent the run seats (its own, or a seat role's), preflighted, with the options its schema made of the plan's (defaults filled in). */
async function preflightedAgent(
  { plan, registry, logger, signal }: RunInput,
  backend: Backend,
  seat: SeatPlan,
): Promise<{ agent: Agent; agentOptions: Record<string, unknown> }> {
  // Validated once (by `planRun`, or here for a plan built by hand): defaults filled in, as the factory sees them.
  const agentOptions = registry.validateOptions('agent', seat.agent, seat.agentOptions)
  const agent = await registry.create('agent', seat.agent, { options: agentOptions, logger })
  const shape = plan.settingShape
  if (agent.preflight) {
    await preflightWithinBound(
      `agent ${seat.agent}`,
      () =>
        agent.preflight!({
          model: seat.modelName,
          modelBaseUrl: plan.modelBaseUrl ?? null,
          options: agentOptions,
          limits: seat.agentLimits,
          run: {
            messaging: shape.messaging && plan.messagingEnabled,
            git: shape.git === 'always' || (shape.git && plan.gitEnabled),
            agents: shape.peers ? plan.pairSize : 1,
          },
          backend: { name: backend.name, network: backend.capabilities.network },
        }),
      signal,
    )
  }
  return { agent, agentOptions }
}

/** The run's message bus, closed with the run scope and preflighted; null when the setting's agents do not message and it keeps no logs. */
async function ownedBus({ plan, registry, logger, signal }: RunInput, scope: Scope): Promise<MessageBus | null> {
  const { messaging, logs } = plan.settingShape
  const needed = (messaging && plan.messagingEnabled) || logs === true
  const bus = needed ? await registry.create('bus', plan.bus, { options: plan.busOptions, logger }) : null
  if (bus) {
    lifetimeOf(scope).own(`bus ${plan.bus}`, () => bus.close())
    if (bus.preflight) await preflightWithinBound(`bus ${plan.bus}`, () => bus.preflight!(), signal)
  }
  return bus
}

/** The run's setting, made from its options and checked against the backend and bus before any pair starts. */
async function preflightedSetting({ plan, registry, logger }: RunInput, backend: Backend, bus: MessageBus | null): Promise<Setting> {
  const setting = await registry.create('setting', plan.setting, { options: plan.settingOptions, logger })
  await setting.preflight?.({
    backend: { name: backend.name, capabilities: backend.capabilities },
    bus,
    policy: plan.policy,
    agents: [null, ...Object.keys(plan.seats ?? {})].map((role): SeatAgent => {
      const seat = seatPlanOf(plan, role ?? undefined)
      const collaborates = registry.find('agent', seat.agent)?.collaborates !== false
      return { role, name: seat.agent, model: seat.recordedModel, promptSource: seat.promptSource, collaborates }
    }),
    optionSource: plan.settingOptionSource ?? ((key) => `settings.${plan.setting}.${key}`),
  })
  return setting
}

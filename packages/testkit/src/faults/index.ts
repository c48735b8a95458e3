/**
 * Broken plugins on purpose, for testing that a harness (ours, or a third party's) survives them:
 * agents that never settle, ignore their signal, keep timers alive or throw, and a backend
 * wrapper whose commands never return. Load it as a plugin, then pick the agents by name (`-a fault-throw`):
 *
 * - the faulty agents alone: name this module in a config file's `plugins`
 *   (`"plugins": ["@cooperbench/testkit/faults"]`); its default export is `faultsPlugin()`;
 * - with options: a module of your own whose default export is `faultsPlugin({...})`, named in
 *   `plugins` by its path (`faults.mjs`: `export default faultsPlugin({ failSandboxCreationFor: 'agent2' })`,
 *   then `"plugins": ["./faults.mjs"]`);
 * - from a script: `run({ plugins: [faultsPlugin({...})] })`.
 *
 * A config file's `plugins` holds module names and paths, not plugin objects: `plugins: [faultsPlugin()]`
 * in a `cooperbench.config.ts` is refused as an invalid config.
 */
import {
  CooperbenchError,
  type Agent,
  type AgentRunContext,
  type Backend,
  type Mailbox,
  type MessageBus,
  type PluginDefinition,
  type Sandbox,
  Tokens,
} from '@cooperbench/core'
import { emptyAgentResult } from '@cooperbench/spec-utils'

/** The agents `faultsPlugin` registers, by name. */
export const FAULTY_AGENTS = {
  /** `run` never settles and holds nothing open: only the harness's own timers keep the process alive. */
  hang: 'fault-hang',
  /** `run` never settles and keeps an interval running, ignoring its signal. */
  hangWithTimer: 'fault-hang-timer',
  /** `run` throws at once. */
  throws: 'fault-throw',
  /** Starts a long command in its sandbox without passing the signal, then submits. */
  ignoresAbort: 'fault-ignore-abort',
} as const

export interface FaultsOptions {
  /**
   * When set, every sandbox command whose text contains this string never returns (it ignores
   * its timeout and signal), e.g. `runner.sh` to hang the evaluator's test runs.
   */
  hangExecMatching?: string
  /** With `hangExecMatching`: keep an interval alive while the command "runs". */
  hangExecWithTimer?: boolean
  /** Sandboxes of this role (`agent2`, `eval`, …) fail to be created, as an engine that is down would. */
  failSandboxCreationFor?: string
  /** This bus operation never settles, as on a server that accepts connections but stops answering. */
  hangBusOperation?: BusOperation
  /** This bus operation fails with BACKEND_UNAVAILABLE, as on a connection that dropped. */
  failBusOperation?: BusOperation
}

/** The operations of a bus or of a mailbox that `hangBusOperation` and `failBusOperation` can break. */
export type BusOperation = 'open' | 'transcript' | 'clear' | 'send' | 'receive' | 'waitForMessages'

/** A plugin definition with the faulty agents, and, with `hangExecMatching`, a backend whose matching commands hang. */
export function faultsPlugin(options: FaultsOptions = {}): PluginDefinition {
  return {
    name: '@cooperbench/testkit-faults',
    version: '0.1.0',
    register(api) {
      for (const [name, run] of Object.entries(agentRuns)) {
        api.agent({ name, specificationVersion: 'agent-v1', description: 'testkit fault injection', create: () => agent(name, run) })
      }
      const role = options.failSandboxCreationFor
      if (role !== undefined) {
        api.service({
          token: Tokens.Backend,
          scope: 'run',
          description: `sandboxes of role ${role} cannot be created`,
          create: (ctx) => failingBackend(ctx.resolve(Tokens.Backend), role),
        })
      }
      const hangs = options.hangBusOperation
      const fails = options.failBusOperation
      if (hangs !== undefined || fails !== undefined) {
        api.service({
          token: Tokens.Bus,
          scope: 'run',
          description: `bus ${hangs ?? ''}${hangs && fails ? ' hangs, ' : hangs ? ' hangs' : ''}${fails ? `${fails} fails` : ''}`,
          create: (ctx) => faultyBus(ctx.resolve(Tokens.Bus), { hangs, fails }),
        })
      }
      const needle = options.hangExecMatching
      if (needle !== undefined) {
        api.service({
          token: Tokens.Backend,
          scope: 'run',
          description: `commands containing ${JSON.stringify(needle)} never return`,
          create: (ctx) => hangingBackend(ctx.resolve(Tokens.Backend), needle, options.hangExecWithTimer === true),
        })
      }
    },
  }
}

const never = <T>(): Promise<T> => new Promise<T>(() => {})

const agentRuns: Record<string, (ctx: AgentRunContext) => ReturnType<Agent['run']>> = {
  [FAULTY_AGENTS.hang]: () => never(),
  [FAULTY_AGENTS.hangWithTimer]: () => {
    setInterval(() => {}, 1000)
    return never()
  },
  [FAULTY_AGENTS.throws]: () => {
    throw new Error('fault-throw: this agent always throws')
  },
  [FAULTY_AGENTS.ignoresAbort]: async (ctx) => {
    await ctx.sandbox.exec('sleep 3600')
    return emptyAgentResult('Submitted')
  },
}

function agent(name: string, run: (ctx: AgentRunContext) => ReturnType<Agent['run']>): Agent {
  return { specificationVersion: 'agent-v1', name, run }
}

function hangingBackend(inner: Backend, needle: string, withTimer: boolean): Backend {
  const wrap = (sandbox: Sandbox): Sandbox => ({
    id: sandbox.id,
    exec: (command, execOptions) => {
      const text = typeof command === 'string' ? command : command.join(' ')
      if (!text.includes(needle)) return sandbox.exec(command, execOptions)
      if (withTimer) setInterval(() => {}, 1000)
      return never()
    },
    writeFile: (path, data) => sandbox.writeFile(path, data),
    readFile: (path) => sandbox.readFile(path),
    terminate: () => sandbox.terminate(),
  })
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'createSandbox') {
        return async (...args: Parameters<Backend['createSandbox']>) => wrap(await target.createSandbox(...args))
      }
      const value = Reflect.get(target, property, receiver) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

function failingBackend(inner: Backend, role: string): Backend {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'createSandbox') {
        return async (...args: Parameters<Backend['createSandbox']>) => {
          if (args[0].role === role) throw new CooperbenchError('SANDBOX_FAILED', `fault injection: the engine refused to create the ${role} sandbox`)
          return target.createSandbox(...args)
        }
      }
      const value = Reflect.get(target, property, receiver) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

function faultyBus(inner: MessageBus, faults: { hangs: BusOperation | undefined; fails: BusOperation | undefined }): MessageBus {
  const broken = <T>(operation: BusOperation, call: () => Promise<T>): Promise<T> => {
    if (faults.hangs === operation) return never()
    if (faults.fails === operation)
      return Promise.reject(new CooperbenchError('BACKEND_UNAVAILABLE', `fault injection: the bus connection dropped during ${operation}`))
    return call()
  }
  const mailbox = (box: Mailbox): Mailbox => ({
    agentId: box.agentId,
    peers: box.peers,
    send: (to, content) => broken('send', () => box.send(to, content)),
    receive: () => broken('receive', () => box.receive()),
    waitForMessages: (from, timeoutMs, signal) => broken('waitForMessages', () => box.waitForMessages(from, timeoutMs, signal)),
    deliveryState: (id) => box.deliveryState(id),
    finish: () => box.finish(),
    ...(box.hasFinished ? { hasFinished: (id: string) => box.hasFinished!(id) } : {}),
    ...(box.markAwaiting ? { markAwaiting: (to: string, ttlMs: number) => box.markAwaiting!(to, ttlMs) } : {}),
    ...(box.isAwaitedBy ? { isAwaitedBy: (from: string) => box.isAwaitedBy!(from) } : {}),
    ...(box.markPublished ? { markPublished: () => box.markPublished!() } : {}),
    ...(box.hasPublished ? { hasPublished: (id: string) => box.hasPublished!(id) } : {}),
    close: () => box.close(),
  })
  return {
    specificationVersion: inner.specificationVersion,
    name: inner.name,
    ...(inner.preflight ? { preflight: () => inner.preflight!() } : {}),
    open: (namespace, agentId, peers) => broken('open', async () => mailbox(await inner.open(namespace, agentId, peers))),
    transcript: (namespace) => broken('transcript', () => inner.transcript(namespace)),
    clear: (namespace) => broken('clear', () => inner.clear(namespace)),
    close: () => inner.close(),
  }
}

/** `faultsPlugin()`: what a config file loads when its `plugins` names `@cooperbench/testkit/faults`. */
export default faultsPlugin()

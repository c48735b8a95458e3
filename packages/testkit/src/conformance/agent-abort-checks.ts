import { randomBytes, randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AgentResult, Sandbox } from '@cooperbench/core'
import { hostProcessListing, leftoverProcesses, PROCESS_LISTING_SCRIPT } from './processes.js'
import {
  type AgentCheckSetup,
  DEFAULT_SETTLE_MS,
  ABORT_AFTER_COMMAND_MS,
  ABORT_FALLBACK_MS,
  EXEC_FAILURE_BOUND_MS,
  violation,
  describeError,
  preview,
  within,
  type Settled,
  settle,
  callRun,
  recordingRecorder,
  openModel,
  solvingScript,
  newSandbox,
  fixtureContext,
} from './agent-run.js'
import { checkResultShape } from './agent-result-checks.js'

// Abort

/** What an abort check saw. */
export interface AbortOutcome {
  /** Commands the agent started before the abort (each slowed down by a long `sleep`). */
  commandsBeforeAbort: number
  /** How long `run` took to settle after the abort, in ms. */
  settledInMs: number
  /** The status `run` resolved with, or `'rejected'`. */
  outcome: string
}

/** One command of the agent's that the abort check slowed down. */
interface SlowedCommand {
  command: string
  /** How it ended before the abort, when it did (it should have slept 30 s). */
  endedEarly: string | null
}

/**
 * The agent's sandbox for the abort checks: until `signal` aborts, every command first creates
 * `started`, then sleeps for 30 s (a unique, recognisable command line), all under the agent's
 * own exec options, so the abort finds the agent in the middle of a command. Afterwards commands
 * run unchanged, so the agent's own cleanup is not slowed.
 */
function slowedSandbox(
  sandbox: Sandbox,
  slow: { marker: string; started: string; signal: AbortSignal },
  onCommand: (command: SlowedCommand, done: Promise<unknown>) => void,
): Sandbox {
  const prefix = `: > ${slow.started}; sleep ${slow.marker}`
  return {
    id: sandbox.id,
    exec(command, options) {
      if (slow.signal.aborted) return sandbox.exec(command, options)
      const slowed = typeof command === 'string' ? `${prefix}\n${command}` : ['bash', '-c', `${prefix}; exec "$@"`, 'bash', ...command]
      const running = sandbox.exec(slowed, options)
      onCommand({ command: typeof command === 'string' ? command : JSON.stringify(command), endedEarly: null }, running)
      return running
    },
    writeFile: (path, data) => sandbox.writeFile(path, data),
    readFile: (path) => sandbox.readFile(path),
    terminate: () => sandbox.terminate(),
    ...(sandbox.exposePort ? { exposePort: (port: number) => sandbox.exposePort!(port) } : {}),
    ...(sandbox.shareHostPath ? { shareHostPath: (hostPath: string) => sandbox.shareHostPath!(hostPath) } : {}),
  }
}

/** Command lines containing `marker`, seen inside the sandbox or on this machine. */
async function runningWith(sandbox: Sandbox, marker: string): Promise<string[]> {
  const found = leftoverProcesses(await hostProcessListing(), marker)
  try {
    const listing = await sandbox.exec(PROCESS_LISTING_SCRIPT, { timeoutMs: 10_000 })
    found.push(...leftoverProcesses(listing.stdout, marker))
  } catch {
    // the sandbox may refuse commands now; the host's view is what is left
  }
  return found
}

/**
 * Aborting ctx.signal shortly after the start, while the agent's first command runs, makes
 * `run` settle within `setup.settleMs` (default 5 s): rejecting, or resolving with a status other
 * than `Submitted`; and no command the agent started is still running afterwards (in the
 * sandbox or on this machine). `reason: 'interrupt'` aborts like Ctrl+C does (an `AbortError`);
 * `'wall-clock'` like the harness's time limit (`AbortSignal.timeout`'s `TimeoutError`).
 *
 * Every command the agent starts before the abort is slowed down by a 30 s `sleep`; the abort
 * comes once the first one is seen running (or, should it end on its own, at once). An agent that
 * runs no command is aborted 3 s after the start.
 */
export async function checkAbort(setup: AgentCheckSetup, options: { reason?: 'interrupt' | 'wall-clock' } = {}): Promise<AbortOutcome> {
  const settleMs = setup.settleMs ?? DEFAULT_SETTLE_MS
  const reason = options.reason ?? 'interrupt'
  const session = await openModel(setup, solvingScript(setup))
  let real: Sandbox | undefined
  const controller = new AbortController()
  const timers: Array<ReturnType<typeof setTimeout>> = []
  // A sandbox whose /tmp is this machine's (a host-folder backend) would otherwise keep it.
  const started = `/tmp/cooperbench-conformance-${randomBytes(6).toString('hex')}.started`
  try {
    real = await newSandbox(setup)
    const inner = real
    const marker = `30.${randomInt(100_000_000, 999_999_999)}`
    const slowed: SlowedCommand[] = []
    let abortedAt = 0
    let abortFired!: () => void
    const fired = new Promise<void>((resolve) => (abortFired = resolve))
    const abort = () => {
      if (controller.signal.aborted) return
      abortedAt = Date.now()
      controller.abort(reason === 'interrupt' ? undefined : new DOMException('The operation was aborted due to timeout', 'TimeoutError'))
      abortFired()
    }
    /** Aborts once the first slowed command is really running (the sandbox has started it), or after 10 s. */
    const abortWhenRunning = async () => {
      const deadline = Date.now() + 10_000
      while (!controller.signal.aborted && Date.now() < deadline) {
        if (
          await inner.readFile(started).then(
            () => true,
            () => false,
          )
        ) {
          await sleep(ABORT_AFTER_COMMAND_MS)
          break
        }
        await sleep(50)
      }
      abort()
    }
    const sandbox = slowedSandbox(inner, { marker, started, signal: controller.signal }, (command, done) => {
      slowed.push(command)
      // A slowed command that ends before the abort ended on its own (the sandbox failed it): abort
      // at once, so that the agent's next commands (its cleanup) are not slowed down too.
      done.then(
        (result) => {
          if (controller.signal.aborted) return
          const r = result as { exitCode: number; durationMs: number; stderr: string }
          command.endedEarly = `exit code ${r.exitCode} after ${r.durationMs} ms${r.stderr ? `: ${preview(r.stderr, 200)}` : ''}`
          abort()
        },
        (error: unknown) => {
          if (controller.signal.aborted) return
          command.endedEarly = `rejected: ${describeError(error)}`
          abort()
        },
      )
      if (slowed.length === 1) void abortWhenRunning()
    })
    const context = await fixtureContext(setup, { sandbox, session, recorder: recordingRecorder(), signal: controller.signal })
    const outcome = settle(callRun(setup.agent, context))
    timers.push(setTimeout(abort, ABORT_FALLBACK_MS))
    const notes = (early = slowed.filter((c) => c.endedEarly !== null)) =>
      `${slowed.length} command(s) started before the abort` +
      (early.length > 0 ? `; note: ${early.map((c) => `\`${preview(c.command, 80)}\` ended on its own (${c.endedEarly})`).join('; ')}` : '')

    const first = await Promise.race([outcome.then(() => 'settled' as const), fired.then(() => 'aborted' as const)])
    if (first === 'settled' && !controller.signal.aborted) {
      const result = await outcome
      violation(
        `run settled before the check could abort it (${notes()}): ` +
          `${result.ok ? `status ${result.value.status}${result.value.error ? ` (error: ${result.value.error})` : ''}` : `rejected: ${describeError(result.error)}`}`,
      )
    }
    const what = () => `run after ctx.signal was aborted (${reason === 'interrupt' ? 'interrupted' : 'wall-clock limit'}; ${notes()})`
    const settled = await within(outcome, settleMs, what())
    const settledInMs = Date.now() - abortedAt
    if (settled.ok) {
      checkResultShape(settled.value, `${what()}: the result`)
      if (settled.value.status === 'Submitted') violation(`${what()}: resolved with status Submitted; an aborted run must reject or end with another status`)
    }
    // The sandbox's kill may take a moment to be visible: wait up to settleMs for the commands to go.
    const deadline = Date.now() + settleMs
    for (;;) {
      const left = await runningWith(inner, marker)
      if (left.length === 0) break
      if (Date.now() > deadline) {
        violation(
          `${what()}: commands the agent started are still running ${settleMs} ms after run settled: ${left.join(' / ')} (pass ctx.signal to sandbox.exec)`,
        )
      }
      await sleep(200)
    }
    return { commandsBeforeAbort: slowed.length, settledInMs, outcome: settled.ok ? settled.value.status : 'rejected' }
  } finally {
    for (const timer of timers) clearTimeout(timer)
    controller.abort()
    await real?.exec(['rm', '-f', started], { timeoutMs: 10_000 }).catch(() => {})
    await real?.terminate().catch(() => {})
    await session.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * A sandbox whose `exec` always throws (writeFile and readFile still work) makes `run` reject (the
 * harness records status `Error`) or resolve with status `Error`, within 20 s: it never hangs and
 * never claims `Submitted`. Returns how many commands the agent tried and what run did.
 */
export async function checkExecFailureContained(setup: AgentCheckSetup, options: { withinMs?: number } = {}): Promise<{ attempts: number; outcome: string }> {
  const withinMs = options.withinMs ?? EXEC_FAILURE_BOUND_MS
  const session = await openModel(setup, solvingScript(setup))
  let real: Sandbox | undefined
  const controller = new AbortController()
  try {
    real = await newSandbox(setup)
    const inner = real
    let attempts = 0
    const broken: Sandbox = {
      id: inner.id,
      exec: async () => {
        attempts += 1
        throw new Error('conformance: this sandbox fails every command on purpose')
      },
      writeFile: (path, data) => inner.writeFile(path, data),
      readFile: (path) => inner.readFile(path),
      terminate: () => inner.terminate(),
    }
    const context = await fixtureContext(setup, { sandbox: broken, session, recorder: recordingRecorder(), signal: controller.signal })
    const what = `run with a sandbox whose exec always throws (${withinMs} ms allowed)`
    let settled: Settled<AgentResult>
    try {
      settled = await within(settle(callRun(setup.agent, context)), withinMs, what)
    } catch (error) {
      controller.abort(new Error('the conformance check gave up on this run'))
      throw error
    }
    if (settled.ok) {
      checkResultShape(settled.value, `${what}: the result`)
      if (settled.value.status !== 'Error')
        violation(`${what}: resolved with status ${settled.value.status}; expected a rejection or status Error (${attempts} exec call(s) failed)`)
    }
    return { attempts, outcome: settled.ok ? settled.value.status : 'rejected' }
  } finally {
    controller.abort()
    await real?.terminate().catch(() => {})
    await session.close()
  }
}

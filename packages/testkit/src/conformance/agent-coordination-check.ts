import { randomBytes } from 'node:crypto'
import type { CommandTool, SeatCoordination } from '@cooperbench/core'
import type { LlmScript, ScriptedTurn } from '../llm-server/types.js'
import { type AgentCheckSetup, type AgentRunRecord, describeError, preview, runAgentOnFixture, violation } from './agent-run.js'
import { checkSubmitted } from './agent-result-checks.js'

/** What the generic check of the coordination surface expects of an agent. */
export interface CoordinationCheckOptions {
  /** A loop agent that shows `ctx.coordination.status` before each model call: every request carries it, marked in the trajectory. */
  status?: boolean
  /**
   * Where the agent's prompts come from (its registration's `promptSource` for the suite's options): `reference-…` follows
   * upstream's and shows `briefing.upstream`, any other its own profile's and shows the sections. Absent: either will do.
   */
  promptSource?: string
  /**
   * How the scripted model makes this agent run one shell command (for a bash-tool agent `(command) => toolCall(command)`):
   * then its model runs the seat's command tool first, as a model would, and the check sees the tool called and its
   * answer in a later request. The solving script follows, one turn later.
   */
  runCommand?(command: string): ScriptedTurn
}

/** What the coordination check saw. */
export interface CoordinationOutcome {
  run: AgentRunRecord
  /** The command tool's calls, each its arguments, in order. */
  calls: string[][]
  /** How often the agent read the status. */
  statusReads: number
}

/** The command tool of the check: it answers with a marker, recording each call. */
export const CONFORMANCE_ECHO_COMMAND = 'cb-conformance-echo'

/**
 * The agent, as `agent1` beside `agent2` (no mailbox), gets a seat whose coordination surface holds a briefing section with a
 * unique marker (and upstream's block with another), one command tool (`cb-conformance-echo`, answered on the host) and a
 * status with a third marker. Always: it submits, and the command is runnable by name in the sandbox it got after the run.
 * With a scripted model: its first request shows the briefing (own profiles) or upstream's block (`reference-` prompts),
 * either when `promptSource` is not given; with `status`, every request carries the status, read before each call and
 * marked in the trajectory (`extra.coordination_status: true`); with `runCommand`, the model's call of the command reached
 * the host and its answer reached the model.
 */
export async function checkCoordinationSurface(setup: AgentCheckSetup, options: CoordinationCheckOptions = {}): Promise<CoordinationOutcome> {
  const id = randomBytes(5).toString('hex')
  const marker = {
    briefing: `CB-BRIEFING-${id}`,
    upstream: `CB-UPSTREAM-${id}`,
    status: `CB-STATUS-${id}`,
    echo: `CB-ECHO-${id}`,
  }
  const calls: string[][] = []
  let statusReads = 0
  const echo: CommandTool = {
    kind: 'command',
    name: CONFORMANCE_ECHO_COMMAND,
    description: 'Prints its argument back with a marker (the conformance check of the coordination surface).',
    run: async (argv) => {
      calls.push([...argv])
      return { exitCode: 0, output: `${marker.echo} ${argv.join(' ')}\n` }
    },
  }
  const coordination: SeatCoordination = {
    briefing: {
      sections: [{ title: 'Conformance', body: `This seat's briefing (${marker.briefing}): nothing to do for it.` }],
      upstream: `Upstream's block of this seat (${marker.upstream}): nothing to do for it.`,
    },
    tools: [echo],
    ...(options.status
      ? {
          status: async () => {
            statusReads += 1
            return `[Conformance status] ${marker.status}`
          },
        }
      : {}),
  }
  const modelProbe = `model-${id}`
  const sandboxProbe = `sandbox-${id}`
  let ranInSandbox: { exitCode: number; stdout: string; stderr: string } | { error: unknown } | null = null
  const run = await runAgentOnFixture(setup, {
    agentId: 'agent1',
    peers: ['agent2'],
    coordination,
    ...(options.runCommand ? { wrapScript: (script) => commandFirst(options.runCommand!(`${CONFORMANCE_ECHO_COMMAND} ${modelProbe}`), script) } : {}),
    inspect: async (sandbox) => {
      ranInSandbox = await sandbox.exec(`${CONFORMANCE_ECHO_COMMAND} ${sandboxProbe}`, { timeoutMs: 60_000 }).catch((error: unknown) => ({ error }))
    },
  })
  checkSubmitted(run, 'run with a seat that has a briefing, a command tool and a status')
  checkCommandRunnable(ranInSandbox, calls, marker.echo, sandboxProbe)
  if (setup.script) {
    checkFirstRequest(run, options, marker)
    if (options.status) checkStatus(run, statusReads, marker.status)
    if (options.runCommand) checkModelCommand(run, calls, marker.echo, modelProbe)
  }
  return { run, calls, statusReads }
}

/** The script with one turn before it: its turns, or its answers, each one later. */
function commandFirst(first: ScriptedTurn, script: LlmScript | null): LlmScript {
  if (script === null) return [first]
  if (Array.isArray(script)) return [first, ...script]
  return (request, turn) => (turn === 0 ? first : script(request, turn - 1))
}

function checkCommandRunnable(
  ran: { exitCode: number; stdout: string; stderr: string } | { error: unknown } | null,
  calls: string[][],
  echo: string,
  probe: string,
): void {
  const what = `${CONFORMANCE_ECHO_COMMAND}, the seat's command tool, run by name in the agent's sandbox after its run`
  if (ran === null) violation(`${what}: never ran`)
  if ('error' in ran) violation(`${what}: exec rejected: ${describeError(ran.error)}`)
  if (ran.exitCode !== 0 || !ran.stdout.includes(`${echo} ${probe}`)) {
    violation(`${what}: exit code ${ran.exitCode}, stdout ${JSON.stringify(preview(ran.stdout, 200))}, stderr ${JSON.stringify(preview(ran.stderr, 300))}`)
  }
  if (!calls.some((argv) => argv.join(' ') === probe)) violation(`${what}: its host handler was never called with ${JSON.stringify(probe)}`)
}

/** Everything a request sent, as one text (the system prompt and tools included, wherever the wire keeps them). */
const sent = (body: unknown) => JSON.stringify(body)

function checkFirstRequest(run: AgentRunRecord, options: CoordinationCheckOptions, marker: { briefing: string; upstream: string }): void {
  const first = run.requests[0]
  if (!first) violation('the agent never called its model')
  const text = sent(first.body)
  const reference = options.promptSource === undefined ? null : options.promptSource.startsWith('reference-')
  const expected = reference === null ? [marker.briefing, marker.upstream] : [reference ? marker.upstream : marker.briefing]
  if (!expected.some((m) => text.includes(m))) {
    const what =
      reference === null
        ? "carries neither the briefing's section (ctx.coordination.briefing.sections) nor upstream's block (briefing.upstream)"
        : reference
          ? `does not carry upstream's block (ctx.coordination.briefing.upstream), which a ${options.promptSource} agent appends to its task`
          : "does not carry the briefing's section (ctx.coordination.briefing.sections), which an agent's own profile places after its task"
    violation(`the first model request ${what}: ${expected.join(' / ')} missing`)
  }
  if (reference !== null) {
    const other = reference ? marker.briefing : marker.upstream
    if (text.includes(other)) {
      violation(
        reference
          ? `the first model request of a ${options.promptSource} agent carries the briefing's own sections (${other}) though upstream's block is given`
          : `the first model request of an agent with its own profile carries upstream's block (${other}), which is only for reference prompts`,
      )
    }
  }
}

function checkStatus(run: AgentRunRecord, reads: number, marker: string): void {
  const missing = run.requests.findIndex((request) => !sent(request.body).includes(marker))
  if (missing >= 0) violation(`model request ${missing + 1} of ${run.requests.length} does not carry the seat's status (ctx.coordination.status)`)
  if (reads < run.requests.length) {
    violation(`the agent read ctx.coordination.status ${reads} time(s) for ${run.requests.length} model request(s): a loop agent reads it before each call`)
  }
  const trajectory = [run.result?.messages ?? [], run.recorder.saves.at(-1) ?? []]
  if (!trajectory.some((messages) => hasStatusMark(messages))) {
    violation('the trajectory never marks the status it showed its model (a message with extra: { coordination_status: true })')
  }
}

/** Whether any object within `value` has `extra.coordination_status === true`. */
function hasStatusMark(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasStatusMark)
  if (typeof value !== 'object' || value === null) return false
  const extra = (value as { extra?: { coordination_status?: unknown } }).extra
  if (extra?.coordination_status === true) return true
  return Object.values(value).some(hasStatusMark)
}

function checkModelCommand(run: AgentRunRecord, calls: string[][], echo: string, probe: string): void {
  if (!calls.some((argv) => argv.join(' ') === probe)) {
    violation(
      `the model's first turn ran \`${CONFORMANCE_ECHO_COMMAND} ${probe}\`, and the host never got the call: ` +
        `the agent's commands do not find the seat's command tools (ctx.coordination.commandDir on PATH)`,
    )
  }
  if (!run.requests.slice(1).some((request) => sent(request.body).includes(`${echo} ${probe}`))) {
    violation(`the answer of \`${CONFORMANCE_ECHO_COMMAND} ${probe}\` (${echo} ${probe}) never reached the model`)
  }
}

/**
 * The team's typed protocol in the sandbox, answered by the harness with the reference's arguments, output and exit codes
 * (CooperBench 0.0.15–0.0.16 `team_harness/coop_task.py` over `team_harness/protocol.py`):
 *
 * - `coop-request <peer> <kind> [body] [--wait N]`: prints its id; with `--wait`, waits up to N seconds (at least 0.05) and prints the
 *   response's JSON, or `timed out waiting for response to <id>` on stderr (exit 5).
 * - `coop-respond <request_id> [body]`: prints nothing; `unknown request <id>` (exit 6) for an id never made or already answered;
 *   `request <id> not addressed to <me>` (exit 7).
 * - `coop-pending`: the open requests addressed to me, as a JSON list (`indent=2`).
 *
 * A body left out is read from stdin, as the reference does. Ours: a request to an agent outside the team (or to oneself) is refused
 * (exit 1) instead of waiting for nobody.
 */
import type { TaskList } from '../task-list/task-types.js'
import { pythonJsonDumps } from '@cooperbench/spec-utils/host'
import { type Arguments, type CommandAnswer, pyRepr, type SubcommandSpec, usageError } from './command-arguments.js'

export const PROTOCOL_COMMANDS = ['coop-request', 'coop-respond', 'coop-pending'] as const

/** The exit codes of the reference's protocol commands. */
const PROTOCOL_EXIT = { timedOut: 5, unknownRequest: 6, notAddressed: 7 } as const

/** The shortest wait, as the reference clamps `--wait` (`max(0.05, N)` seconds). */
const MIN_WAIT_MS = 50

/**
 * The reference's subcommand of each command (`coop-request` runs `coop-task request`), in
 * argparse's order.
 */
export const PROTOCOL_SPECS = {
  request: {
    usage: 'usage: coop-task request [-h] [--wait WAIT] recipient kind [body]',
    positional: ['recipient', 'kind'],
    optional: ['body'],
    values: { '--wait': 'wait' },
    flags: {},
  },
  respond: { usage: 'usage: coop-task respond [-h] request_id [body]', positional: ['request_id'], optional: ['body'], values: {}, flags: {} },
  pending: { usage: 'usage: coop-task pending [-h]', positional: [], values: {}, flags: {} },
} satisfies Record<string, SubcommandSpec>

export interface ProtocolContext {
  list: TaskList
  /** The agent the sandbox belongs to: every command runs as it. */
  agentId: string
  /** Every agent of the team; a request must name one of the others. */
  team: readonly string[]
  /** Aborts a `--wait` (the agent's run ended): it is then answered as timed out. */
  waitSignal?: AbortSignal
}

/**
 * Answers `coop-<sub>` (sub: request, respond, pending), its arguments parsed, for `ctx.agentId`;
 * `stdinBody` is the body the script read from stdin.
 */
export async function answerProtocolCommand(ctx: ProtocolContext, sub: string, args: Arguments, stdinBody?: string): Promise<CommandAnswer> {
  const { positional: p, options: o } = args
  const { list, agentId } = ctx
  if (sub === 'pending') return { exitCode: 0, output: `${pythonJsonDumps(await list.pending(agentId), { indent: 2 })}\n` }
  if (sub === 'respond') {
    const [requestId, body = stdinBody ?? ''] = p as [string, string?]
    const outcome = await list.respond(requestId, agentId, body)
    if (outcome.outcome === 'unknown') return { exitCode: PROTOCOL_EXIT.unknownRequest, output: `unknown request ${requestId}\n` }
    if (outcome.outcome === 'not-addressed') return { exitCode: PROTOCOL_EXIT.notAddressed, output: `request ${requestId} not addressed to ${agentId}\n` }
    return { exitCode: 0, output: '' }
  }
  const [to, kind, body = stdinBody ?? ''] = p as [string, string, string?]
  let waitMs: number | null = null
  if (typeof o.wait === 'string') {
    const seconds = Number(o.wait.trim())
    if (o.wait.trim() === '' || !Number.isFinite(seconds))
      return usageError(PROTOCOL_SPECS.request.usage, `argument --wait: invalid float value: ${pyRepr(o.wait)}`)
    waitMs = Math.max(MIN_WAIT_MS, seconds * 1000)
  }
  if (to === agentId || !ctx.team.includes(to)) {
    const others = ctx.team.filter((a) => a !== agentId)
    return { exitCode: 1, output: `coop-request: ${to} is not a teammate; send requests to ${others.join(', ')}\n` }
  }
  const request = await list.request(agentId, to, kind, body)
  if (waitMs === null) return { exitCode: 0, output: `${request.id}\n` }
  let response = null
  try {
    response = await list.awaitResponse(request.id, waitMs, ctx.waitSignal)
  } catch (error) {
    // The agent's run ended during the wait: nobody reads this answer; say what happened.
    if (!ctx.waitSignal?.aborted) throw error
  }
  if (response === null) return { exitCode: PROTOCOL_EXIT.timedOut, output: `timed out waiting for response to ${request.id}\n` }
  // `json.dumps(response)`: the reference's keys, in its order, on one line.
  const line = pythonJsonDumps({ id: response.id, from: response.from, to: response.to, body: response.body, ts: response.ts })
  return { exitCode: 0, output: `${line}\n` }
}

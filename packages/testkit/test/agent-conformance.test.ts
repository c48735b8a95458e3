import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Agent, AgentRunContext, Sandbox, Task } from '@cooperbench/core'
import { emptyAgentResult } from '@cooperbench/spec-utils'
import { OracleAgent } from '@cooperbench/builtins'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// The local backend is not a dependency of the testkit (it depends on the testkit): test-only imports by relative path.
import { findExecutable } from '../../backend-local/src/host-tools.js'
import { LocalBackend } from '../../backend-local/src/index.js'
import {
  type AgentCheckSetup,
  applyPatchCommand,
  type ConformanceFixture,
  ConformanceViolation,
  checkAbort,
  checkAgentIdentity,
  checkCoordinationSurface,
  checkCoopWithMailbox,
  checkExecFailureContained,
  checkPreflight,
  checkResultShape,
  checkSolvesFixture,
  checkTeamRun,
  createConformanceFixture,
  describeAgentConformance,
  finalTurn,
  recordingRecorder,
  SUBMIT_COMMAND,
  toolCall,
} from '../src/index.js'

// Real sandboxes of the local backend. Without bubblewrap the suites are skipped, except in CI.
const skip = findExecutable('bwrap', process.env.PATH ?? '') === null && !process.env.CI ? 'bubblewrap (bwrap) is not installed' : false

let backend: Promise<{ backend: LocalBackend; root: string }> | undefined
async function localSandbox(task: Task): Promise<Sandbox> {
  backend ??= mkdtemp(join(tmpdir(), 'cb-agent-conformance-')).then((root) => ({ backend: new LocalBackend({ root }), root }))
  return (await backend).backend.createSandbox({ task, image: 'local', role: 'solo', labels: {} })
}
afterAll(async () => {
  const local = await backend
  await local?.backend.close()
  if (local) await rm(local.root, { recursive: true, force: true })
})

// The oracle reads the gold feature.patch from the task folder: no model, no script.
describeAgentConformance('oracle', { skip, createAgent: () => new OracleAgent(), createSandbox: localSandbox, team: {} })

/** An agent made of a run function, for proving that the checks notice broken agents. */
function agentOf(run: (ctx: AgentRunContext) => Promise<ReturnType<typeof emptyAgentResult>>, extra: Partial<Agent> = {}): Agent {
  return { specificationVersion: 'agent-v1', name: 'broken', run, ...extra }
}

/** How the loop agent below goes wrong: what it shows of its briefing, when it reads its status, how it runs commands. */
interface LoopFlaws {
  /** What it shows its model of the briefing (default its sections). */
  briefing?: 'sections' | 'upstream' | 'none'
  /** When it reads the status (default before each call). */
  status?: 'each' | 'once' | 'never'
  /** It leaves the status unmarked in its trajectory. */
  unmarked?: boolean
  /** It runs commands with a PATH of its own, as a login shell would, never adding the seat's command folder back. */
  ownPath?: boolean
}

type LoopMessage = { role: string; content: string; extra?: Record<string, unknown>; tool_calls?: unknown; tool_call_id?: string }

/** A minimal loop agent on a chat-completions model: it runs each bash call's command until the submit command. */
function loopAgent(flaws: LoopFlaws = {}): Agent {
  return agentOf(async (ctx) => {
    const { briefing, status } = ctx.coordination
    const shown =
      flaws.briefing === 'none' ? [] : flaws.briefing === 'upstream' ? [briefing.upstream ?? ''] : briefing.sections.map((s) => `## ${s.title}\n\n${s.body}`)
    const messages: LoopMessage[] = [{ role: 'user', content: [ctx.instructions, ...shown].join('\n\n---\n\n') }]
    for (let step = 0; step < 6; step++) {
      const reads = flaws.status ?? 'each'
      if (status && (reads === 'each' || (reads === 'once' && step === 0))) {
        const text = await status()
        if (text !== null) messages.push({ role: 'user', content: text, ...(flaws.unmarked ? {} : { extra: { coordination_status: true } }) })
      }
      const response = await fetch(`${ctx.modelBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: ctx.model, messages: messages.map(({ extra: _, ...m }) => m) }),
        signal: ctx.signal,
      })
      type Call = { id: string; function: { arguments: string } }
      const { message } = ((await response.json()) as { choices: Array<{ message: { content: string | null; tool_calls?: Call[] } }> }).choices[0]!
      const call = message.tool_calls?.[0]
      const command = call ? (JSON.parse(call.function.arguments) as { command: string }).command : SUBMIT_COMMAND
      if (command === SUBMIT_COMMAND) break
      const ran = await ctx.sandbox.exec(flaws.ownPath ? ['env', 'PATH=/usr/bin:/bin', 'sh', '-c', command] : command, { signal: ctx.signal })
      messages.push(
        { role: 'assistant', content: message.content ?? '', tool_calls: message.tool_calls },
        { role: 'tool', tool_call_id: call!.id, content: `${ran.stdout}${ran.stderr}` },
      )
    }
    await ctx.recorder.save(messages)
    return { ...emptyAgentResult('Submitted'), messages }
  })
}

/** Applies the gold patch (as the oracle would) with the given exec options. */
async function applyGold(ctx: AgentRunContext, fixture: ConformanceFixture, options: { signal?: AbortSignal } = {}): Promise<number> {
  const result = await ctx.sandbox.exec(applyPatchCommand(fixture.featurePatch), options)
  return result.exitCode
}

describe.skipIf(skip)('the agent checks notice broken agents', { timeout: 60_000 }, () => {
  let fixture: ConformanceFixture
  beforeAll(async () => {
    fixture = await createConformanceFixture()
  })
  afterAll(() => fixture?.cleanup())
  const setup = (agent: Agent, extra: Partial<AgentCheckSetup> = {}): AgentCheckSetup => ({
    agent,
    fixture,
    createSandbox: localSandbox,
    settleMs: 2_000,
    ...extra,
  })

  it('identity: a wrong specificationVersion or an empty name', () => {
    expect(() => checkAgentIdentity(agentOf(async () => emptyAgentResult('Submitted'), { specificationVersion: 'agent-v0' as never }))).toThrow(
      ConformanceViolation,
    )
    expect(() => checkAgentIdentity(agentOf(async () => emptyAgentResult('Submitted'), { name: ' ' }))).toThrow(/name/)
    expect(() => checkAgentIdentity(new OracleAgent())).not.toThrow()
  })

  it('result shape: negative, infinite or missing numbers, non-array or circular messages, a numeric error', () => {
    const good = emptyAgentResult('Submitted')
    expect(() => checkResultShape(good)).not.toThrow()
    expect(() => checkResultShape({ ...good, cost: -1 })).toThrow(/cost/)
    expect(() => checkResultShape({ ...good, steps: Number.NaN })).toThrow(/steps/)
    expect(() => checkResultShape({ ...good, input_tokens: Number.POSITIVE_INFINITY })).toThrow(/input_tokens/)
    const { cache_write_tokens: _, ...missing } = good
    expect(() => checkResultShape(missing)).toThrow(/cache_write_tokens/)
    expect(() => checkResultShape({ ...good, messages: 'none' })).toThrow(/messages/)
    const circular: Record<string, unknown> = {}
    circular['self'] = circular
    expect(() => checkResultShape({ ...good, messages: [circular] })).toThrow(/JSON/)
    expect(() => checkResultShape({ ...good, error: 3 })).toThrow(/error/)
    expect(() => checkResultShape({ ...good, status: '' })).toThrow(/status/)
  })

  it('the recording recorder flags values the harness cannot store', async () => {
    const recorder = recordingRecorder()
    await recorder.save([{ role: 'user', content: 'hi' }])
    await recorder.save([{ big: 1n }])
    expect(recorder.saves).toEqual([[{ role: 'user', content: 'hi' }]])
    expect(recorder.problems).toEqual([expect.stringMatching(/save #2.*JSON/)])
  })

  it('preflight: one that rejects, and one that calls the model', async () => {
    const rejecting = agentOf(async () => emptyAgentResult('Submitted'), {
      preflight: async () => {
        throw new Error('OPENAI_API_KEY is not set')
      },
    })
    await expect(checkPreflight(setup(rejecting))).rejects.toThrow(/OPENAI_API_KEY is not set/)
    const spending = agentOf(async () => emptyAgentResult('Submitted'), {
      preflight: async ({ options }) => {
        await fetch(`${String(options['base'])}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }) })
      },
    })
    await expect(checkPreflight(setup(spending, { modelOptions: (url) => ({ base: url }) }))).rejects.toThrow(/model request/)
    expect(await checkPreflight(setup(new OracleAgent()))).toBe(false)
  })

  it('solo: an agent that changes nothing, and one that claims Submitted without saving its trajectory', async () => {
    await expect(checkSolvesFixture(setup(agentOf(async () => emptyAgentResult('Submitted'))))).rejects.toThrow(/recorder/)
    const idle = agentOf(async (ctx) => {
      await ctx.recorder.save([])
      return emptyAgentResult('Submitted')
    })
    await expect(checkSolvesFixture(setup(idle))).rejects.toThrow(/changed nothing/)
    const wrong = agentOf(async (ctx) => {
      await ctx.recorder.save([])
      await ctx.sandbox.exec("printf 'def sub(a, b):\\n    return b - a\\n' >> calc.py")
      return emptyAgentResult('Submitted')
    })
    await expect(checkSolvesFixture(setup(wrong))).rejects.toThrow(/1 passed, 1 failed/)
  })

  it('abort: an agent that does not pass ctx.signal to exec, and one that ignores the abort and submits', async () => {
    const deaf = agentOf(async (ctx) => {
      await applyGold(ctx, fixture)
      return emptyAgentResult('Submitted')
    })
    await expect(checkAbort(setup(deaf))).rejects.toThrow(/did not settle within 2000 ms/)
    const stubborn = agentOf(async (ctx) => {
      await applyGold(ctx, fixture, { signal: ctx.signal })
      return emptyAgentResult('Submitted')
    })
    await expect(checkAbort(setup(stubborn), { reason: 'wall-clock' })).rejects.toThrow(/resolved with status Submitted/)
    const polite = agentOf(async (ctx) => {
      await applyGold(ctx, fixture, { signal: ctx.signal })
      ctx.signal.throwIfAborted()
      return emptyAgentResult('Submitted')
    })
    expect(await checkAbort(setup(polite))).toMatchObject({ commandsBeforeAbort: 1, outcome: 'rejected' })
  })

  it('abort: an agent that leaves a command running when it settles', async () => {
    const leaky = agentOf(async (ctx) => {
      void ctx.sandbox.exec(applyPatchCommand(fixture.featurePatch)).catch(() => {})
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))
      return emptyAgentResult('Error', 'interrupted')
    })
    await expect(checkAbort(setup(leaky))).rejects.toThrow(/still running/)
  })

  it('errors: an agent that hangs, or claims Submitted, when every command throws', async () => {
    const retrying = agentOf(async (ctx) => {
      for (;;) {
        try {
          await ctx.sandbox.exec('true')
          return emptyAgentResult('Submitted')
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
    })
    await expect(checkExecFailureContained(setup(retrying), { withinMs: 1_000 })).rejects.toThrow(/did not settle within 1000 ms/)
    const careless = agentOf(async (ctx) => {
      await ctx.sandbox.exec('true').catch(() => {})
      return emptyAgentResult('Submitted')
    })
    await expect(checkExecFailureContained(setup(careless))).rejects.toThrow(/status Submitted/)
    const honest = agentOf(async (ctx) => {
      await ctx.sandbox.exec('true')
      return emptyAgentResult('Submitted')
    })
    expect(await checkExecFailureContained(setup(honest))).toEqual({ attempts: 1, outcome: 'rejected' })
  })

  it('coop: an agent that throws when a mailbox exists, and one that never reads its inbox', async () => {
    const solver = (readInbox: boolean) =>
      agentOf(async (ctx) => {
        if (ctx.mailbox && !readInbox) throw new Error('messaging is not supported')
        const inbox = readInbox && ctx.mailbox ? await ctx.mailbox.receive() : []
        const log = inbox.map((m) => ({ role: 'user', content: `[Message from ${m.from}]: ${m.content}` }))
        await ctx.recorder.save(log)
        await applyGold(ctx, fixture, { signal: ctx.signal })
        return { ...emptyAgentResult('Submitted'), messages: log }
      })
    await expect(checkCoopWithMailbox(setup(solver(false)))).rejects.toThrow(/messaging is not supported/)
    const deaf = agentOf(async (ctx) => {
      await ctx.recorder.save([])
      await applyGold(ctx, fixture, { signal: ctx.signal })
      return emptyAgentResult('Submitted')
    })
    await expect(checkCoopWithMailbox(setup(deaf), { expectMessage: true })).rejects.toThrow(/never received/)
    expect((await checkCoopWithMailbox(setup(solver(true)), { expectMessage: true })).deliveryState).toBe('read')
  })

  it('team: an agent that throws in the team setting, and one that tells its model about features that are off', async () => {
    // Honest: it names what its seat's surface has (its tools, its briefing, a wait tool when asked to offer one); else everything.
    const briefer = (honest: boolean, waitTool = true) =>
      agentOf(async (ctx) => {
        const { coordination } = ctx
        if (coordination.briefing.sections.length === 0) throw new Error('no briefing in the context')
        const told = [
          ...(!honest || coordination.tools.some((tool) => tool.name === 'coop-task-list') ? ['Use coop-task-list to see the tasks.'] : []),
          ...(!honest || coordination.briefing.sections.some((s) => s.title === 'Scratchpad') ? ['Share patches in /workspace/shared.'] : []),
          ...((!honest || coordination.waitForMessages) && waitTool ? ['Call wait_for_message to wait for a teammate.'] : []),
        ]
        const log = [{ role: 'user', content: [ctx.instructions, ...told].join('\n') }]
        await ctx.recorder.save(log)
        await applyGold(ctx, fixture, { signal: ctx.signal })
        return { ...emptyAgentResult('Submitted'), messages: log }
      })
    await expect(checkTeamRun(setup(agentOf(async () => Promise.reject(new Error('team is not supported')))))).rejects.toThrow(/team is not supported/)
    // Without any task list (--team-no-task-commands); upstream's --team-no-task-list keeps the commands, so they may be named.
    const none = { task_list: false, auto_refresh: false, protocol: false, task_commands: false } as const
    await expect(checkTeamRun(setup(briefer(false)), { features: none })).rejects.toThrow(/without the task commands .* still names it \("coop-task-"\)/)
    await expect(checkTeamRun(setup(briefer(false)), { features: { scratchpad: false } })).rejects.toThrow(/with scratchpad off/)
    for (const features of [none, { task_list: false }, { scratchpad: false }]) await checkTeamRun(setup(briefer(true)), { features })
    // The wait_for_message tool: never named with mcp off; named with it on by an agent that says it offers the tool.
    await expect(checkTeamRun(setup(briefer(false)), { features: { mcp: false } })).rejects.toThrow(/with mcp off, .* still names it \("wait_for_message"\)/)
    await checkTeamRun(setup(briefer(true)), { features: { mcp: false }, waitForMessage: true })
    await checkTeamRun(setup(briefer(true)), { waitForMessage: true })
    await expect(checkTeamRun(setup(briefer(true, false)), { waitForMessage: true })).rejects.toThrow(/never names its wait_for_message tool/)
  })

  const scripted = (agent: Agent) => setup(agent, { script: ({ goldPatch }) => [toolCall(applyPatchCommand(goldPatch)), finalTurn()] })
  const runCommand = (command: string) => toolCall(command)

  it('coordination surface: a loop agent that maps it passes; one that hides its briefing or shows the wrong one fails', { timeout: 240_000 }, async () => {
    const seen = await checkCoordinationSurface(scripted(loopAgent()), { status: true, runCommand })
    expect(seen.calls.map((argv) => argv[0])).toEqual([expect.stringMatching(/^model-/), expect.stringMatching(/^sandbox-/)])
    expect(seen.statusReads).toBeGreaterThanOrEqual(seen.run.requests.length)
    await expect(checkCoordinationSurface(scripted(loopAgent({ briefing: 'none' })))).rejects.toThrow(/first model request carries neither/)
    // A reference agent shows upstream's block, its own profile the sections; either will do when the suite is not told which.
    await checkCoordinationSurface(scripted(loopAgent({ briefing: 'upstream' })), { promptSource: 'reference-test' })
    await expect(checkCoordinationSurface(scripted(loopAgent()), { promptSource: 'reference-test' })).rejects.toThrow(/upstream's block/)
  })

  it('coordination surface: one that skips its status, reads it once, or leaves it unmarked; one that loses its commands', { timeout: 240_000 }, async () => {
    await expect(checkCoordinationSurface(scripted(loopAgent({ status: 'never' })), { status: true })).rejects.toThrow(/does not carry the seat's status/)
    await expect(checkCoordinationSurface(scripted(loopAgent({ status: 'once' })), { status: true })).rejects.toThrow(/read ctx.coordination.status 1 time/)
    await expect(checkCoordinationSurface(scripted(loopAgent({ unmarked: true })), { status: true })).rejects.toThrow(/never marks the status/)
    await expect(checkCoordinationSurface(scripted(loopAgent({ ownPath: true })), { runCommand })).rejects.toThrow(/host never got the call/)
  })
})

import type { Agent } from '@cooperbench/core'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { type ConformanceFixture, createConformanceFixture } from './fixture.js'
import { skippedSuite } from './skip.js'
import {
  type AgentConformanceOptions,
  type AgentCheckSetup,
  type AgentRunRecord,
  DEFAULT_SETTLE_MS,
  violation,
  describeError,
  runAgentOnFixture,
} from './agent-run.js'
import { checkAgentIdentity, checkPreflight, checkResultShape, checkSubmitted, checkRecorderSaves, checkPatchPassesHiddenTests } from './agent-result-checks.js'
import { checkAbort, checkExecFailureContained } from './agent-abort-checks.js'
import { checkCoopWithMailbox } from './agent-coop-check.js'
import type { TeamFeatures } from '@cooperbench/setting-team'
import { checkCoordinationSurface } from './agent-coordination-check.js'
import { checkTeamRun } from './agent-team-check.js'

export {
  type AgentFixtureFeature,
  type SandboxExtras,
  type TeamScriptFacts,
  type AgentConformanceOptions,
  type AgentCheckSetup,
  type ModelWire,
  type RecordingRecorder,
  type AgentRunRecord,
  type FixtureRunOptions,
  CONFORMANCE_DEFAULT_MODEL,
  applyPatchCommand,
  recordingRecorder,
  runAgentOnFixture,
} from './agent-run.js'
export {
  checkAgentIdentity,
  checkPreflight,
  checkResultShape,
  checkSubmitted,
  checkRecorderSaves,
  checkPatchPassesHiddenTests,
  checkSolvesFixture,
} from './agent-result-checks.js'
export { type AbortOutcome, checkAbort, checkExecFailureContained } from './agent-abort-checks.js'
export { type CoopOutcome, checkCoopWithMailbox } from './agent-coop-check.js'
export { checkTeamRun, type TeamCheckOptions, type TeamOutcome } from './agent-team-check.js'
export {
  CONFORMANCE_ECHO_COMMAND,
  checkCoordinationSurface,
  type CoordinationCheckOptions,
  type CoordinationOutcome,
} from './agent-coordination-check.js'

/**
 * Defines a vitest suite, `agent conformance: <name>`, that checks an {@link Agent} against what
 * the harness relies on (`Agent`, `AgentRunContext` and `AgentResult` in `@cooperbench/core`;
 * `runAgentJob`, which creates the sandbox, calls `run`, turns a rejection into status `Error`
 * and takes the patch itself). Call it at the top level of a vitest test file:
 *
 * ```ts
 * import { applyPatchCommand, describeAgentConformance, finalTurn, toolCall } from '@cooperbench/testkit'
 *
 * describeAgentConformance('my-agent', {
 *   createAgent: () => new MyAgent(),
 *   createSandbox: (task) => backend.createSandbox({ task, image: 'unused', role: 'solo', labels: {} }),
 *   model: 'openai/scripted-model',
 *   modelOptions: (url) => ({ model_base_url: url }),
 *   script: ({ goldPatch }) => [toolCall(applyPatchCommand(goldPatch)), finalTurn()],
 *   messaging: true,
 * })
 * ```
 *
 * It builds the conformance fixture task (`createConformanceFixture`: a tiny Python repository,
 * one feature adding `sub`, hidden tests run by `runner.sh`), creates the agent once, and for
 * every run starts a fresh scripted OpenAI-compatible server playing `script` (when given) and
 * a fresh sandbox from `createSandbox`. Behaviours, one test each: identity
 * (`specificationVersion`, `name`); `preflight` (resolves, no model request); solo on the fixture
 * feature (status `Submitted`; a well-formed result; the trajectory saved through `ctx.recorder`,
 * JSON-serialisable; the harness's patch passes the hidden tests through `runner.sh` in a fresh
 * sandbox); abort mid-command, as Ctrl+C and as the wall-clock limit (settles within
 * `settleMs`, not `Submitted`, no command left running); a sandbox whose `exec` always throws
 * (reject or status `Error`, bounded); coop with a mailbox (no throw, still submits) and, with
 * `messaging`, a message from `agent2` queued before the start reaching the agent (and its
 * model); the coordination surface (a briefing, a command tool, a status: see
 * `checkCoordinationSurface`; `coordination: false` skips it); with `team`, the `team` setting as
 * the lead and as a member (submits; a feature that is off is never named to the model; with
 * `team.autoRefresh`, the task list's summary in every request).
 *
 * Each behaviour is also exported as a function (`checkSolvesFixture(setup)` and so on) that
 * throws a `ConformanceViolation` on a breach, for use outside this suite.
 */
export function describeAgentConformance(name: string, options: AgentConformanceOptions): void {
  const title = `agent conformance: ${name}`
  if (options.skip) {
    skippedSuite(title, options.skip)
    return
  }

  const timeout = options.timeoutMs ?? 60_000
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS
  let fixture: ConformanceFixture | undefined
  let agent: Agent | undefined

  const setup = (): AgentCheckSetup => {
    if (!fixture || !agent) throw new Error(`${title}: the suite's setup failed (see the beforeAll error)`)
    return {
      agent,
      fixture,
      createSandbox: options.createSandbox,
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(options.modelOptions ? { modelOptions: options.modelOptions } : {}),
      ...(options.options ? { options: options.options } : {}),
      ...(options.script ? { script: options.script } : {}),
      ...(options.wire ? { wire: options.wire } : {}),
      settleMs,
      runMs: Math.max(10_000, timeout - 15_000),
    }
  }
  let solo: Promise<AgentRunRecord> | undefined
  /** The solo run several tests judge, made once. */
  const soloRun = (): Promise<AgentRunRecord> => (solo ??= runAgentOnFixture(setup()))

  describe(title, { timeout }, () => {
    beforeAll(
      async () => {
        fixture = await createConformanceFixture()
        agent = await options.createAgent()
      },
      Math.max(timeout, 60_000),
    )

    afterAll(async () => {
      await solo?.catch(() => {})
      await fixture?.cleanup()
    })

    describe('identity', () => {
      it("specificationVersion is 'agent-v1'", () => {
        const { agent } = setup()
        if (agent.specificationVersion !== 'agent-v1') violation(`expected 'agent-v1', got ${JSON.stringify(agent.specificationVersion)}`)
      })

      it('has a non-empty name, a run method and, if any, a preflight method', () => {
        checkAgentIdentity(setup().agent)
      })
    })

    describe('preflight', () => {
      it('resolves for the configured model and options, without calling the model', async ({ skip }) => {
        if (!setup().agent.preflight) skip('the agent has no preflight')
        await checkPreflight(setup())
      })
    })

    describe('solo run on the fixture feature', () => {
      it('resolves with status Submitted', async () => {
        checkSubmitted(await soloRun())
      })

      it('returns finite, non-negative numbers, an array of JSON-serialisable messages and a string-or-null error', async () => {
        const run = await soloRun()
        if (!run.result) violation(`run rejected: ${describeError(run.rejection)}`)
        checkResultShape(run.result)
      })

      it('saves its trajectory through ctx.recorder at least once, always JSON-serialisable', async () => {
        checkRecorderSaves((await soloRun()).recorder)
      })

      it("the harness's patch of its working tree passes the fixture's hidden tests through runner.sh", async () => {
        const { createSandbox, fixture } = setup()
        await checkPatchPassesHiddenTests(createSandbox, fixture, (await soloRun()).patch)
      })
    })

    describe('abort', () => {
      it(`aborting ctx.signal mid-command (Ctrl+C) settles run within ${settleMs} ms, not Submitted, with no command left running`, async () => {
        await checkAbort(setup(), { reason: 'interrupt' })
      })

      it(`the wall-clock limit firing ctx.signal (a TimeoutError) settles run within ${settleMs} ms, not Submitted, with no command left running`, async () => {
        await checkAbort(setup(), { reason: 'wall-clock' })
      })
    })

    describe('errors stay inside', () => {
      it('a sandbox whose exec always throws makes run reject or resolve with status Error, without hanging', async () => {
        await checkExecFailureContained(setup())
      })
    })

    describe('coop', () => {
      it('a mailbox in ctx does not make run throw: the agent still submits', async () => {
        await checkCoopWithMailbox(setup(), { expectMessage: false })
      })

      if (options.messaging) {
        it('a message agent2 queued before the start reaches the agent (and its model as [Message from agent2]: …)', async () => {
          await checkCoopWithMailbox(setup(), { expectMessage: true })
        })

        it('beside two peers, the messages of agent2 and agent3 both reach the agent, which sees both of them', async () => {
          await checkCoopWithMailbox(setup(), { expectMessage: true, pairSize: 3 })
        })
      }
    })

    const coordination = options.coordination
    if (coordination !== false) {
      const surface = coordination ?? {}
      const also = [...(surface.status ? ['every model request carries its status'] : []), ...(surface.runCommand ? ['its model runs the command tool'] : [])]
      describe('coordination surface', () => {
        it(`beside a peer with a briefing, a command tool and a status, it submits, shows its model the briefing${also.map((a) => `, ${a}`).join('')}, and the tool runs in its sandbox`, async () => {
          await checkCoordinationSurface(setup(), surface)
        })
      })
    }

    const team = options.team
    if (team) {
      describe('team setting', () => {
        const autoRefresh = team.autoRefresh === true
        const waitForMessage = team.waitForMessage === true
        const protocol = team.protocol === true
        const template = team.promptTemplate === undefined ? {} : { promptTemplate: team.promptTemplate }
        const also = [
          ...(protocol ? ['does its part of the protocol'] : []),
          ...(autoRefresh ? ['every model request carries the [Team task list] summary'] : []),
          ...(waitForMessage ? ['its model is told of wait_for_message'] : []),
        ]
        for (const role of ['lead', 'member'] as const) {
          it(`as the ${role} with every feature on, it submits${also.map((a) => ` and ${a}`).join('')}`, async () => {
            await checkTeamRun(setup(), { role, autoRefresh, waitForMessage, protocol, ...template })
          })
        }
        // Each arm as the setting records it: upstream's --team-no-task-list keeps the commands; --team-no-task-commands takes every list.
        const arms: Array<[string, Partial<TeamFeatures>]> = [
          ['--team-no-task-commands', { task_list: false, auto_refresh: false, protocol: false, task_commands: false }],
          ['--team-no-task-list', { task_list: false }],
          ['--team-no-scratchpad', { scratchpad: false }],
          ...(autoRefresh ? [['--team-no-auto-refresh', { auto_refresh: false }] as [string, Partial<TeamFeatures>]] : []),
          ...(waitForMessage ? [['--team-no-mcp', { mcp: false }] as [string, Partial<TeamFeatures>]] : []),
        ]
        for (const [flag, features] of arms) {
          it(`with ${flag}, it submits${protocol ? ' and does its part' : ''}, and nothing it shows its model names what the team does not have`, async () => {
            await checkTeamRun(setup(), { features, autoRefresh, waitForMessage, protocol, ...template })
          })
        }
      })
    }
  })
}

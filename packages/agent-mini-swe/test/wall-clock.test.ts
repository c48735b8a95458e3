import type { PluginRegistry } from '@cooperbench/core'
import { planningRegistry } from '@cooperbench/testkit'
import { resolveLayeredConfig } from '@cooperbench/config'
import { agentDeadlineMs, HARNESS_DEADLINES, planRun } from '@cooperbench/core/runner'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import plugin from '../src/register.js'

const PER_STEP = HARNESS_DEADLINES.agentPerStepMs

/** A reference-format configuration (templates of our own), with the file's own step limit. */
const referenceYaml = (stepLimit: string) => `agent:
  system_template: "sys {{ agent_id }}"
  instance_template: "task: {{ task }}"
${stepLimit}model:
  observation_template: "{{ output.output }}"
`

describe("the harness's wall clock on mini_swe_agent without --agent-timeout: the step limit the agent enforces", () => {
  let cwd: string
  let registry: PluginRegistry
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wall-clock-'))
    registry = await planningRegistry(plugin.plugin)
  })
  afterEach(() => rm(cwd, { recursive: true, force: true }))

  /** The deadline of a run planned from these settings, with `agent.yaml` holding `yaml` when given. */
  async function deadline(overrides: Record<string, unknown>, yaml?: string): Promise<number> {
    if (yaml !== undefined) await writeFile(join(cwd, 'agent.yaml'), yaml)
    const settings = await resolveLayeredConfig(
      { agent: 'mini_swe_agent', setting: 'solo', ...(yaml === undefined ? {} : { agentConfig: 'agent.yaml' }), ...overrides },
      undefined,
      cwd,
    )
    return agentDeadlineMs(await planRun(registry, settings))
  }

  it('--step-limit 500: 500 steps of 3 minutes (it was 100 steps, 5 hours)', async () => {
    expect(await deadline({ stepLimit: 500 })).toBe(500 * PER_STEP)
  })

  it("the agent's own step_limit: 0 (no limit): the documented no-step-limit bound, never 5 hours", async () => {
    expect(await deadline({}, 'step_limit: 0\n')).toBe(HARNESS_DEADLINES.agentNoStepLimitMs)
    expect(await deadline({}, 'agent:\n  step_limit: 40\n')).toBe(40 * PER_STEP)
  })

  it("a reference configuration's step_limit: 250 is its bound; absent, the reference has none", async () => {
    expect(await deadline({}, referenceYaml('  step_limit: 250\n'))).toBe(250 * PER_STEP)
    expect(await deadline({}, referenceYaml(''))).toBe(HARNESS_DEADLINES.agentNoStepLimitMs)
    // The run's limit still wins over the file's, as it does in the agent.
    expect(await deadline({ stepLimit: 30 }, referenceYaml('  step_limit: 250\n'))).toBe(30 * PER_STEP)
  })

  it('nothing set: the default 100 steps; --agent-timeout wins over every step limit', async () => {
    expect(await deadline({})).toBe(100 * PER_STEP)
    expect(await deadline({ stepLimit: 500, agentTimeoutSeconds: 60 })).toBe(60_000)
  })
})

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

describe("the harness's wall clock on openhands_sdk without --agent-timeout: the step limit its registration declares", () => {
  let cwd: string
  let registry: PluginRegistry
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'oh-wall-clock-'))
    registry = await planningRegistry(plugin.plugin)
  })
  afterEach(() => rm(cwd, { recursive: true, force: true }))

  async function deadline(overrides: Record<string, unknown>, yaml?: string): Promise<number> {
    if (yaml !== undefined) await writeFile(join(cwd, 'agent.yaml'), yaml)
    const settings = await resolveLayeredConfig(
      { agent: 'openhands_sdk', setting: 'solo', ...(yaml === undefined ? {} : { agentConfig: 'agent.yaml' }), ...overrides },
      undefined,
      cwd,
    )
    return agentDeadlineMs(await planRun(registry, settings))
  }

  it("its step_limit option (default 100; 40; 0 = the server's default, no step bound); --step-limit wins", async () => {
    expect(await deadline({})).toBe(100 * PER_STEP)
    expect(await deadline({}, 'step_limit: 40\n')).toBe(40 * PER_STEP)
    expect(await deadline({}, 'step_limit: 0\n')).toBe(HARNESS_DEADLINES.agentNoStepLimitMs)
    expect(await deadline({ stepLimit: 7 }, 'step_limit: 40\n')).toBe(7 * PER_STEP)
  })
})

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { wilsonInterval } from '@cooperbench/report'
import { describe, expect, it } from 'vitest'
import { claimDifferences, claimedSettings, withoutScrubbed } from '../../src/api/rerun/claimed-settings.js'
import { drawPairs } from '../../src/api/rerun/draw-pairs.js'
import { type RerunPair, rerunEvidence } from '../../src/api/rerun/rerun-evidence.js'
import { rerunEvidenceLines } from '../../src/ui/rerun-text.js'

const pair = (n: number, bundled: 'pass' | 'fail', rerun: RerunPair['rerun']): RerunPair => ({
  pair: `run/coop/textkit_task/12/f${n}`,
  bundled,
  rerun,
  ...(rerun === 'error' ? { error: 'sandbox gone' } : {}),
})

/** A config.json as a bundle holds it: the claim's fingerprint, the configuration with what bundling scrubbed. */
function bundledConfig(fingerprint: Record<string, unknown> = {}) {
  const value = {
    setting: 'coop',
    agent: 'mini_swe_agent',
    model: 'openai/scripted-model',
    messaging_enabled: true,
    git_enabled: false,
    agent_config_digest: null,
    limits: { step_limit: 40, cost_limit: 2, agent_timeout_seconds: null },
    model_base_url: 'http://127.0.0.1:4100/v1',
    ...fingerprint,
  }
  return {
    setting: 'coop',
    fingerprints: { coop: { value, hash: 'abc' } },
    config: {
      agents: { swe_agent: { config_root: '<host_path>' }, mini_swe_agent: { model_kwargs: { temperature: 0 }, api_key: '[redacted]' } },
      settings: { team: { team_features: ['task_list'] } },
      logDir: '<log_dir>',
      modelBaseUrl: 'http://127.0.0.1:4100/v1',
    },
  }
}

describe('verify --rerun: the draw', () => {
  const items = Array.from({ length: 20 }, (_, i) => i)

  it('one seed draws the same pairs, without repeats; another seed others; more than there are draws them all', () => {
    const drawn = drawPairs(items, 5, 42)
    expect(drawn).toEqual(drawPairs(items, 5, 42))
    expect(new Set(drawn).size).toBe(5)
    expect(drawPairs(items, 5, 43)).not.toEqual(drawn)
    expect([...drawPairs(items, 50, 7)].sort((a, b) => a - b)).toEqual(items)
  })
})

describe('verify --rerun: the evidence', () => {
  it('counts agreement over the reruns with a verdict; an error is neither agreement nor disagreement', () => {
    const evidence = rerunEvidence(
      { seed: 1, asked: 4 },
      [pair(1, 'pass', 'pass'), pair(2, 'fail', 'fail'), pair(3, 'pass', 'fail'), pair(4, 'pass', 'error')],
      {
        passed: 6,
        judged: 10,
      },
    )
    expect(evidence).toMatchObject({ agree: 2, disagree: 1, errors: 1, rerunRate: 1 / 3, claimedRate: 2 / 3, bundleRate: 0.6 })
    expect(evidence.interval).toEqual(wilsonInterval(1, 3))
    expect(evidence.bundleRateInside).toBe(true)
  })

  it("reruns that all fail where the bundle passes put the bundle's rate outside their interval; all passing, a rate of 1 is inside", () => {
    const relabelled = rerunEvidence(
      { seed: 1, asked: 5 },
      [1, 2, 3, 4, 5].map((n) => pair(n, 'pass', 'fail')),
      { passed: 6, judged: 6 },
    )
    expect(relabelled).toMatchObject({ agree: 0, disagree: 5, rerunRate: 0, claimedRate: 1, bundleRate: 1, bundleRateInside: false })
    const honest = rerunEvidence(
      { seed: 1, asked: 5 },
      [1, 2, 3, 4, 5].map((n) => pair(n, 'pass', 'pass')),
      { passed: 6, judged: 6 },
    )
    expect(honest.interval.high).toBeCloseTo(1, 12)
    expect(honest).toMatchObject({ agree: 5, disagree: 0, bundleRateInside: true })
  })

  it('with only errors, there is no rate and no answer to inside or outside', () => {
    const evidence = rerunEvidence({ seed: 1, asked: 2 }, [pair(1, 'pass', 'error'), pair(2, 'fail', 'error')], { passed: 1, judged: 2 })
    expect(evidence).toMatchObject({ agree: 0, disagree: 0, errors: 2, rerunRate: null, claimedRate: null, bundleRateInside: null })
    expect(rerunEvidenceLines(evidence).at(-1)).toMatch(/no rerun gave a verdict/)
  })

  it('the text names the seed, each pair that differs or errs, and the rate against the interval', () => {
    const evidence = rerunEvidence({ seed: 9, asked: 3 }, [pair(1, 'pass', 'fail'), pair(2, 'pass', 'pass'), pair(3, 'fail', 'error')], {
      passed: 6,
      judged: 6,
    })
    const lines = rerunEvidenceLines(evidence)
    expect(lines[0]).toMatch(/^reran 3 pair\(s\) drawn with --seed 9 under the bundle's claim:$/)
    expect(lines).toContain("  1 of 3 agree with the bundle's verdicts, 1 disagree, 1 could not be rerun (errors count neither way)")
    expect(lines).toContain('  differs run/coop/textkit_task/12/f1: pass in the bundle, fail when rerun')
    expect(lines).toContain('  error  run/coop/textkit_task/12/f3: sandbox gone')
    expect(lines.at(-1)).toMatch(/the bundle's rate over all its judged pairs, 100\.0%, is OUTSIDE the reruns' interval/)
  })
})

describe('verify --rerun: the claimed configuration', () => {
  it("takes who and how from the claim's fingerprint, options from the record without what bundling scrubbed, never the author's server", async () => {
    const settings = await claimedSettings(bundledConfig(), 'coop', 'msa')
    expect(settings).toEqual({
      setting: 'coop',
      agent: 'mini_swe_agent',
      modelName: 'openai/scripted-model',
      messagingEnabled: true,
      gitEnabled: false,
      stepLimit: 40,
      costLimit: 2,
      agentTimeoutSeconds: null,
      policy: 'cooperbench-0.0.14',
      seats: {},
      agents: { swe_agent: {}, mini_swe_agent: { model_kwargs: { temperature: 0 } } },
      settings: { team: { team_features: ['task_list'] } },
    })
  })

  it("an agent that calls no model claims none; seats keep their own agent and model; a named policy is the claim's", async () => {
    const oracle = await claimedSettings(
      bundledConfig({
        agent: 'oracle',
        model: null,
        evaluation_policy: 'cooperbench-0.0.16',
        seats: { manager: { agent: 'oracle', model: null, prompt_profile: 'x' } },
      }),
      'coop',
      'or',
    )
    expect(oracle).not.toHaveProperty('modelName')
    expect(oracle).toMatchObject({ agent: 'oracle', policy: 'cooperbench-0.0.16', seats: { manager: { agent: 'oracle' } } })
  })

  it("a run made with an agent config file needs the verifier's copy, with the digest claimed", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rerun-agent-config-'))
    try {
      const file = join(dir, 'coop.yaml')
      await writeFile(file, 'agent:\n  step_limit: 10\n')
      const digest = createHash('sha256').update('agent:\n  step_limit: 10\n').digest('hex')
      const config = bundledConfig({ agent_config_digest: digest })
      await expect(claimedSettings(config, 'coop', 'msa')).rejects.toMatchObject({
        code: 'USAGE',
        message: expect.stringMatching(/no --agent-config names it/),
      })
      expect(await claimedSettings(config, 'coop', 'msa', file)).toMatchObject({ agentConfig: file })
      await writeFile(file, 'agent:\n  step_limit: 99\n')
      await expect(claimedSettings(config, 'coop', 'msa', file)).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/claims [0-9a-f]{64}/) })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a setting without a fingerprint is refused, naming the run', async () => {
    await expect(claimedSettings(bundledConfig(), 'solo', 'msa')).rejects.toMatchObject({
      code: 'BUNDLE_INVALID',
      message: expect.stringMatching(/run "msa".*solo/),
    })
  })

  it('drops scrubbed values at any depth, and a list holding one whole', () => {
    expect(withoutScrubbed({ a: '<cwd>/x', b: ['ok', '<home>/y'], c: { d: 1, e: '[redacted]' }, f: 'kept' })).toEqual({ c: { d: 1 }, f: 'kept' })
  })
})

describe("verify --rerun: a rerun is the claim's", () => {
  it("names each field of the rerun's fingerprint that is not the claim's, the verifier's server, backend and versions aside", () => {
    const claimed = bundledConfig().fingerprints.coop.value
    const rerun = { ...claimed, model_base_url: 'http://127.0.0.1:5200/v1', harness_version: '9.9.9', plugins: { agent: 'x' } }
    expect(claimDifferences(claimed, rerun)).toEqual([])
    expect(claimDifferences(claimed, { ...rerun, limits: { ...claimed.limits, step_limit: 100 }, model: 'openai/other' })).toEqual([
      'model: "openai/scripted-model" → "openai/other"',
      'limits.step_limit: 40 → 100',
    ])
  })
})

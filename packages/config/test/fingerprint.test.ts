import { describe, expect, it } from 'vitest'
import { agentConfigDigest, CONFIG_DEFAULTS, canonicalJson, configFingerprint, diffFingerprints, type ResolvedConfig } from '../src/index.js'

/** How coop uses the harness (its `SettingShape`, judged by merging), as planRun passes it; solo shares nothing. */
const coop = { messaging: true, git: true, judgedByMerge: true }
const solo = { messaging: false, git: false, judgedByMerge: false }
const extra = { agentConfigDigest: null, harnessVersion: '0.1.0', promptProfile: 'reference', setting: coop }
const soloExtra = { ...extra, setting: solo }
const config = (overrides: Partial<ResolvedConfig> = {}): ResolvedConfig => ({ ...CONFIG_DEFAULTS, ...overrides })

describe('configFingerprint', () => {
  it('has the configuration fields written to config.json, snake_case', () => {
    expect(configFingerprint(config(), extra).fingerprint).toEqual({
      setting: 'coop',
      agent: 'mini_swe_agent',
      model: 'vertex_ai/gemini-3-flash-preview',
      messaging_enabled: true,
      git_enabled: false,
      agent_config_digest: null,
      prompt_profile: 'reference',
      limits: { step_limit: 100, cost_limit: 3, agent_timeout_seconds: null },
      harness_version: '0.1.0',
      evaluation_policy: 'cooperbench-0.0.16',
    })
  })

  it('names the evaluation policy of coop runs unless it is 0.0.14, which every run before policies used (their hash stays)', () => {
    const before = configFingerprint(config({ policy: 'cooperbench-0.0.14' }), extra)
    expect(before.fingerprint).not.toHaveProperty('evaluation_policy')
    const { policy: _policy, ...withoutPolicy } = config()
    // A configuration from before the key existed hashes as 0.0.14 does.
    expect(configFingerprint(withoutPolicy, extra).hash).toBe(before.hash)
    expect(configFingerprint(config(), extra).hash).not.toBe(before.hash)
    // Solo is judged alike under every policy: it is not part of a solo fingerprint.
    expect(configFingerprint(config({ setting: 'solo' }), soloExtra).fingerprint).not.toHaveProperty('evaluation_policy')
  })

  it('is equal for equal configurations, whatever else differs', () => {
    const a = configFingerprint(config(), extra)
    const b = configFingerprint(config({ concurrency: 2, logDir: '/elsewhere', runName: 'x' }), { ...extra })
    expect(b).toEqual(a)
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('changes its hash with any fingerprinted field', () => {
    const base = configFingerprint(config(), extra).hash
    expect(configFingerprint(config({ modelName: 'openai/gpt-4o' }), extra).hash).not.toBe(base)
    expect(configFingerprint(config({ messagingEnabled: false }), extra).hash).not.toBe(base)
    expect(configFingerprint(config({ stepLimit: 50 }), extra).hash).not.toBe(base)
    expect(configFingerprint(config(), { ...extra, agentConfigDigest: 'ab' }).hash).not.toBe(base)
    expect(configFingerprint(config(), { ...extra, harnessVersion: '0.2.0' }).hash).not.toBe(base)
  })

  it('holds the backend, its images and the bus, leaving the defaults out so local runs keep their hash', () => {
    const base = configFingerprint(config(), extra)
    expect(configFingerprint(config({ backend: 'local', bus: 'memory' }), extra).hash).toBe(base.hash)
    const docker = configFingerprint(config({ backend: 'docker' }), extra)
    expect(docker.fingerprint).toMatchObject({ backend: 'docker', image: { namespace: 'akhatua', template: '{namespace}/cooperbench-{slug}:task{taskId}' } })
    expect(
      configFingerprint(config({ backend: 'docker', image: { namespace: 'me', template: '{namespace}/cooperbench-{slug}:task{taskId}' } }), extra).hash,
    ).not.toBe(docker.hash)
    expect(configFingerprint(config({ bus: 'redis' }), extra).fingerprint.bus).toBe('redis')
    expect(configFingerprint(config({ bus: 'redis', messagingEnabled: false }), extra).fingerprint.bus).toBeUndefined()
  })

  it("holds the release of what an agent runs (a CLI's pinned package) only when the agent names one", () => {
    const base = configFingerprint(config(), extra)
    expect(configFingerprint(config(), { ...extra, agentRelease: null }).hash).toBe(base.hash)
    const claude = configFingerprint(config({ agent: 'claude_code' }), { ...extra, agentRelease: '@anthropic-ai/claude-code@2.1.330' })
    expect(claude.fingerprint.agent_release).toBe('@anthropic-ai/claude-code@2.1.330')
    expect(configFingerprint(config({ agent: 'claude_code' }), { ...extra, agentRelease: '@anthropic-ai/claude-code@2.2.0' }).hash).not.toBe(claude.hash)
  })

  it('counts messaging and git as off in solo, where they have no effect', () => {
    const solo = configFingerprint(config({ setting: 'solo' }), soloExtra)
    expect(solo.fingerprint).toMatchObject({ messaging_enabled: false, git_enabled: false })
    expect(configFingerprint(config({ setting: 'solo', messagingEnabled: false }), soloExtra).hash).toBe(solo.hash)
  })

  it('hashes canonical JSON: key order does not matter', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}')
  })

  it('digests agent config content with sha256', () => {
    expect(agentConfigDigest('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })
})

describe('diffFingerprints', () => {
  it('is empty for equal fingerprints', () => {
    const { fingerprint } = configFingerprint(config(), extra)
    expect(diffFingerprints(fingerprint, structuredClone(fingerprint))).toEqual([])
  })

  it('names model when it changes, with both values', () => {
    const a = configFingerprint(config({ modelName: 'openai/gpt-4o' }), extra).fingerprint
    const b = configFingerprint(config({ modelName: 'openai/gpt-5' }), extra).fingerprint
    expect(diffFingerprints(a, b)).toEqual(['model: "openai/gpt-4o" → "openai/gpt-5"'])
  })

  it('lists every differing field, nested ones by dotted path, absent ones as such', () => {
    const a = configFingerprint(config(), extra).fingerprint
    const b = configFingerprint(config({ messagingEnabled: false, stepLimit: 50 }), { ...extra, agentConfigDigest: 'abc' }).fingerprint
    expect(diffFingerprints(a, b)).toEqual(['messaging_enabled: true → false', 'agent_config_digest: null → "abc"', 'limits.step_limit: 100 → 50'])
    const { prompt_profile: _dropped, ...older } = a
    expect(diffFingerprints(older, a)).toEqual(['prompt_profile: (absent) → "reference"'])
  })

  it("names the default a field left out for holding it stands for: the earlier run's policy, backend and pair size", () => {
    const earlier = configFingerprint(config({ policy: 'cooperbench-0.0.14' }), extra).fingerprint
    const now = configFingerprint(config({ policy: 'cooperbench-0.0.16' }), extra).fingerprint
    expect(earlier).not.toHaveProperty('evaluation_policy')
    expect(diffFingerprints(earlier, now)).toEqual(['evaluation_policy: "cooperbench-0.0.14" → "cooperbench-0.0.16"'])
    expect(diffFingerprints(now, earlier)).toEqual(['evaluation_policy: "cooperbench-0.0.16" → "cooperbench-0.0.14"'])
    const elsewhere = configFingerprint(config({ policy: 'cooperbench-0.0.14', backend: 'docker', pairSize: 3 }), extra).fingerprint
    expect(diffFingerprints(earlier, elsewhere)).toEqual(expect.arrayContaining(['backend: "local" → "docker"', 'pair_size: 2 → 3']))
  })
})

describe('the plugins and the setting in a fingerprint', () => {
  const plugins = {
    agent: 'mini_swe_agent (@cooperbench/agent-mini-swe@0.1.0)',
    bus: 'memory (@cooperbench/builtins@0.1.0)',
    setting: 'coop (@cooperbench/builtins@0.1.0)',
  }

  it('names every plugin with its version: another version of one is another configuration, named in the difference', () => {
    const before = configFingerprint(config(), { ...extra, plugins })
    const fixed = { ...plugins, agent: 'mini_swe_agent (@cooperbench/agent-mini-swe@0.1.1)' }
    const after = configFingerprint(config(), { ...extra, plugins: fixed })
    expect(after.hash).not.toBe(before.hash)
    expect(diffFingerprints(before.fingerprint, after.fingerprint)).toEqual([
      'plugins.agent: "mini_swe_agent (@cooperbench/agent-mini-swe@0.1.0)" → "mini_swe_agent (@cooperbench/agent-mini-swe@0.1.1)"',
    ])
  })

  it('leaves the bus plugin out when nothing goes through the bus', () => {
    expect(configFingerprint(config({ setting: 'solo' }), { ...soloExtra, plugins }).fingerprint.plugins).toEqual({
      agent: plugins.agent,
      setting: plugins.setting,
    })
  })

  it('holds what the setting records of its options, so an ablation is another configuration', () => {
    const team = (record: Record<string, unknown>) => configFingerprint(config({ setting: 'team' }), { ...extra, setting: { ...coop, record } })
    const all = team({ team_features: { task_list: true, mcp: true } })
    const noMcp = team({ team_features: { task_list: true, mcp: false } })
    expect(all.fingerprint).toMatchObject({ setting: 'team', team_features: { task_list: true, mcp: true } })
    expect(diffFingerprints(all.fingerprint, noMcp.fingerprint)).toEqual(['team_features.mcp: true → false'])
  })
})

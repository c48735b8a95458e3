import { describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS, parseOptions } from '../src/agent/options.js'

describe('parseOptions', () => {
  it('gives the documented defaults for no options', () => {
    expect(parseOptions({})).toEqual(DEFAULT_OPTIONS)
    expect(parseOptions(undefined)).toEqual(DEFAULT_OPTIONS)
    // No step or cost limit of its own: the run's limits (ctx.limits) apply.
    expect(DEFAULT_OPTIONS).not.toHaveProperty('step_limit')
    expect(DEFAULT_OPTIONS).not.toHaveProperty('cost_limit')
    expect(DEFAULT_OPTIONS).toMatchObject({
      wall_time_limit_seconds: null,
      command_timeout_seconds: 3600,
      observation_max_chars: 10_000,
      compaction: { enabled: true, trigger_tokens: 28_000, keep_last: 2 },
      model: { base_url: null, temperature: null, max_output_tokens: null, timeout_seconds: 300, max_retries: 10 },
    })
  })

  it('accepts flat keys and partial nested blocks, keeping sibling defaults', () => {
    const options = parseOptions({ step_limit: 50, compaction: { keep_last: 4 }, model: { temperature: 0 } })
    expect(options.step_limit).toBe(50)
    expect(options.compaction).toEqual({ ...DEFAULT_OPTIONS.compaction, keep_last: 4 })
    expect(options.model).toEqual({ ...DEFAULT_OPTIONS.model, temperature: 0 })
  })

  it("accepts the reference's nesting and its compaction key names", () => {
    const options = parseOptions({
      agent: { step_limit: 50, cost_limit: 1.5, compaction_enabled: false, compaction_token_trigger: 9000, compaction_keep_recent_turns: 3 },
    })
    expect(options).toMatchObject({ step_limit: 50, cost_limit: 1.5, compaction: { enabled: false, trigger_tokens: 9000, keep_last: 3 } })
  })

  it("deep-merges a `config:` block, and keys outside it (the harness' flat limits) win", () => {
    const options = parseOptions({ config: { agent: { step_limit: 50, compaction_enabled: false } }, step_limit: 20 })
    expect(options.step_limit).toBe(20)
    expect(options.compaction.enabled).toBe(false)
  })

  it('lets flat keys win over the agent block of the same layer', () => {
    expect(parseOptions({ agent: { cost_limit: 1 }, cost_limit: 2 }).cost_limit).toBe(2)
  })

  it('takes the model endpoint from model.base_url or model_base_url', () => {
    expect(parseOptions({ model: { base_url: 'http://localhost:8000/v1' } }).model.base_url).toBe('http://localhost:8000/v1')
    expect(parseOptions({ model_base_url: 'http://vllm:8000/v1' }).model.base_url).toBe('http://vllm:8000/v1')
  })

  it('layers over a base, so run options override the creation options', () => {
    const base = parseOptions({ command_timeout_seconds: 60 })
    expect(parseOptions({ step_limit: 5 }, base)).toMatchObject({ command_timeout_seconds: 60, step_limit: 5 })
  })
})

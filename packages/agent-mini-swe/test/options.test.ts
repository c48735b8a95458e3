import { isCooperbenchError } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS, parseOptions } from '../src/agent/options.js'

function problemsOf(raw: unknown): string[] {
  try {
    parseOptions(raw)
  } catch (error) {
    if (isCooperbenchError(error) && error.code === 'CONFIG_INVALID') return error.details
    throw error
  }
  throw new Error('expected CONFIG_INVALID')
}

describe('parseOptions', () => {
  it('gives the documented defaults for no options', () => {
    expect(parseOptions({})).toEqual(DEFAULT_OPTIONS)
    expect(parseOptions(undefined)).toEqual(DEFAULT_OPTIONS)
    expect(DEFAULT_OPTIONS).toMatchObject({
      step_limit: 100,
      cost_limit: 3,
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

  it('names the key path of every bad value', () => {
    expect(
      problemsOf({
        step_limit: 'many',
        cost_limit: -1,
        compaction: { keep_last: 1.5, enabeld: true },
        agent: { step_limt: 3 },
        config: { model: { temperature: 'hot' } },
      }),
    ).toEqual(
      expect.arrayContaining([
        'step_limit: must be integer',
        'cost_limit: must be >= 0',
        'compaction.keep_last: must be integer',
        'compaction.enabeld: unknown key "enabeld" (did you mean "enabled"?)',
        'agent.step_limt: unknown key "step_limt" (did you mean "step_limit"?)',
        'config.model.temperature: must be number or null',
      ]),
    )
  })

  it('rejects reference options this agent does not have, such as prompt templates', () => {
    expect(problemsOf({ agent: { system_template: 'You are…' } })).toEqual(['agent.system_template: unknown key "system_template"'])
  })

  it('rejects options that are not a mapping', () => {
    expect(problemsOf([1, 2])).toEqual(['(root): must be object'])
  })
})

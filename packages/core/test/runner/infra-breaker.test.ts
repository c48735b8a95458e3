import { describe, expect, it } from 'vitest'
import type { CoopAgentRecord, CoopResultRecord, SoloResultRecord } from '@cooperbench/spec'
import { breakerThreshold, InfraBreaker } from '../../src/runner/infra-breaker.js'

const agent = (status: CoopAgentRecord['status'], error: string | null = null, failure?: 'infra' | 'agent' | 'dataset'): CoopAgentRecord => ({
  feature_id: 1,
  status,
  cost: 0,
  steps: 0,
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  patch_lines: 0,
  error,
  ...(failure === undefined ? {} : { failure }),
})
const coop = (...agents: CoopAgentRecord[]) =>
  ({ setting: 'coop', agents: Object.fromEntries(agents.map((a, i) => [`agent${i + 1}`, a])) }) as unknown as CoopResultRecord
const solo = (a: CoopAgentRecord) => ({ setting: 'solo', agent: a }) as unknown as SoloResultRecord
const refused = (attempt: number) => agent('Error', `model call failed: m: HTTP 401: Incorrect API key (attempt ${attempt})`, 'infra')

describe('InfraBreaker: the run stops when every agent hits the same infrastructure error', () => {
  it('opens after the threshold of agents in a row with the same error, numbers aside, and aborts its signal', () => {
    const breaker = new InfraBreaker(4)
    breaker.observe(coop(refused(1), refused(2)))
    breaker.observe(solo(refused(3)))
    expect(breaker.signal.aborted).toBe(false)
    breaker.observe(coop(refused(4), refused(5)))
    expect(breaker.signal.aborted).toBe(true)
    expect(breaker.error).toMatchObject({ code: 'INFRA_FAILED', exitCode: 4 })
    expect(breaker.error?.message).toMatch(/^run stopped: 4 agents in a row failed with the same infrastructure error: .*attempt 4/)
    expect(breaker.signal.reason).toBe(breaker.error)
  })

  it('any other outcome resets the count: a submission, an agent failure, a dataset defect, another infra error', () => {
    for (const other of [
      agent('Submitted'),
      agent('Error', 'bad', 'agent'),
      agent('Error', 'dataset defect: x', 'dataset'),
      agent('Error', 'sandbox died', 'infra'),
      agent('LimitsExceeded'),
    ]) {
      const breaker = new InfraBreaker(3)
      breaker.observe(coop(refused(1), refused(2)))
      breaker.observe(coop(other, refused(3)))
      expect(breaker.signal.aborted, JSON.stringify(other)).toBe(false)
    }
  })

  it('needs no more agents than the invocation runs', () => {
    expect([0, 1, 2, 3, 4, 54].map(breakerThreshold)).toEqual([1, 1, 2, 3, 4, 4])
  })
})

import { describe, expect, it } from 'vitest'
import { abortedBeforeStart, CappedOutput, cappedExecResult, type CommandOutcome, commandResult, reachedTimeLimit, type StopReason } from '../src/index.js'

function captured(stdout: string, stderr: string, limit = 1024): { stdout: CappedOutput; stderr: CappedOutput } {
  const output = { stdout: new CappedOutput(limit), stderr: new CappedOutput(limit) }
  output.stdout.push(Buffer.from(stdout))
  output.stderr.push(Buffer.from(stderr))
  return output
}

function outcome(stoppedBy: StopReason | null, exitCode = stoppedBy === null ? 3 : -1): CommandOutcome {
  return { ...captured('out', 'err'), exitCode, stoppedBy, durationMs: 42 }
}

describe('the contract result of a command', () => {
  it('carries the exit code, the output as text and the duration', () => {
    expect(cappedExecResult(captured('out', 'err'), { exitCode: 2, timedOut: false, durationMs: 7 })).toEqual({
      exitCode: 2,
      stdout: 'out',
      stderr: 'err',
      timedOut: false,
      truncated: false,
      durationMs: 7,
    })
  })

  it('is truncated when either stream dropped bytes, and then says so in that stream', () => {
    const result = cappedExecResult(captured('ok', 'x'.repeat(10), 4), { exitCode: 0, timedOut: false, durationMs: 1 })
    expect(result.truncated).toBe(true)
    expect(result.stdout).toBe('ok')
    expect(result.stderr).toContain('6 bytes omitted')
  })

  it('counts a stop by the timeout or the signal as timed out, one by terminate or none not', () => {
    expect(commandResult(outcome('timeout'))).toMatchObject({ exitCode: -1, timedOut: true, durationMs: 42 })
    expect(commandResult(outcome('abort'))).toMatchObject({ exitCode: -1, timedOut: true })
    expect(commandResult(outcome('terminate'))).toMatchObject({ exitCode: -1, timedOut: false })
    expect(commandResult(outcome(null))).toMatchObject({ exitCode: 3, timedOut: false, stdout: 'out', stderr: 'err' })
  })

  it('of a command aborted before it started is a timeout with no output, new each time', () => {
    expect(abortedBeforeStart()).toEqual({ exitCode: -1, stdout: '', stderr: '', timedOut: true, truncated: false, durationMs: 0 })
    expect(abortedBeforeStart()).not.toBe(abortedBeforeStart())
  })
})

describe('reachedTimeLimit', () => {
  it("is timeout's exit (124, or 137 after a KILL) at the limit, with a second's slack", () => {
    expect(reachedTimeLimit(124, 5_000, 5_000)).toBe(true)
    expect(reachedTimeLimit(137, 4_000, 5_000)).toBe(true)
    expect(reachedTimeLimit(124, 3_999, 5_000)).toBe(false)
  })

  it('is false for other exits, and for a KILL well before the limit', () => {
    expect(reachedTimeLimit(1, 9_000, 5_000)).toBe(false)
    expect(reachedTimeLimit(137, 100, 5_000)).toBe(false)
  })
})

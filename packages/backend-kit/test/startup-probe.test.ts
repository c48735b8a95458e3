import { isCooperbenchError, type SandboxSpec } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { checkStartupProbe, type RootCommandResult, startPulledSandbox } from '../src/index.js'

const base = 'a'.repeat(40)
const spec = {
  image: 'img:1',
  role: 'solo',
  labels: {},
  task: { repo: 'r', taskId: '1', source: { baseCommit: base.toUpperCase() } },
} as unknown as SandboxSpec
const hints = { notTaskImage: 'not a task image', failed: 'look inside', stale: 'rebuild' }

function failure(probe: { exitCode: number | null; output: string; head: string }) {
  try {
    checkStartupProbe(probe, 'sb-1', spec, hints)
  } catch (error) {
    if (isCooperbenchError(error)) return { code: error.code, message: error.message, hint: error.hint, details: error.details }
    throw error
  }
  return null
}

describe('checkStartupProbe', () => {
  it('accepts the base commit (any case, surrounding blanks)', () => {
    expect(failure({ exitCode: 0, output: '', head: `${base}\n` })).toBeNull()
  })

  it('names a missing /workspace/repo, a failed start with what it printed, and a stale image', () => {
    expect(failure({ exitCode: 3, output: '', head: '' })).toMatchObject({
      code: 'SANDBOX_FAILED',
      message: 'image img:1 has no /workspace/repo, which every task image must have',
      hint: 'not a task image',
    })
    expect(failure({ exitCode: 2, output: 'mkdir: denied\nno\n', head: '' })).toMatchObject({
      message: 'sandbox sb-1 for r/1 does not start (exit 2): mkdir: denied',
      details: ['mkdir: denied', 'no'],
      hint: 'look inside',
    })
    expect(failure({ exitCode: 0, output: '', head: 'b'.repeat(40) })).toMatchObject({
      message: `image img:1 has /workspace/repo at ${'b'.repeat(40)}, but the base commit of r/1 is ${base}`,
      hint: 'rebuild',
    })
  })
})

describe('startPulledSandbox', () => {
  /** Runs the startup script and the cleaning as `answers` say, recording each argv. */
  function runner(answers: RootCommandResult[]) {
    const ran: string[][] = []
    const runAsRoot = async (argv: string[]) => {
      ran.push(argv)
      return answers.shift()!
    }
    return { ran, runAsRoot }
  }

  it('checks the start, cleans the history down to the base commit and returns the image PATH', async () => {
    const { ran, runAsRoot } = runner([
      { exitCode: 0, stdout: `/opt/bin:/usr/bin\n${base}\n`, stderr: '' },
      { exitCode: 0, stdout: '', stderr: '' },
    ])
    expect(await startPulledSandbox(runAsRoot, 'sb-1', spec, 'look inside')).toBe('/opt/bin:/usr/bin')
    expect(ran[0]?.slice(0, 2)).toEqual(['sh', '-c'])
    expect(ran[1]?.slice(-2)).toEqual(['/workspace/repo', base.toUpperCase()])
  })

  it("reports a failed start by stderr's first line, not the PATH line printed before it, and cleans nothing", async () => {
    const { ran, runAsRoot } = runner([{ exitCode: 128, stdout: '/usr/bin\n', stderr: 'fatal: not a git repository\n' }])
    const error = await startPulledSandbox(runAsRoot, 'sb-1', spec, 'look inside').catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'SANDBOX_FAILED',
      message: 'sandbox sb-1 for r/1 does not start (exit 128): fatal: not a git repository',
      hint: 'look inside',
    })
    expect(ran).toHaveLength(1)
  })

  it('fails as SANDBOX_FAILED when the history cannot be removed, with what the script printed', async () => {
    const { runAsRoot } = runner([
      { exitCode: 0, stdout: `/usr/bin\n${base}\n`, stderr: '' },
      { exitCode: 6, stdout: '', stderr: 'clean-repo-history: objects survived\n' },
    ])
    const error = await startPulledSandbox(runAsRoot, 'sb-1', spec, 'look inside').catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'SANDBOX_FAILED', details: ['clean-repo-history: objects survived'] })
    expect((error as Error).message).toMatch(/^sb-1: cannot remove the history after the base commit .*: objects of later commits survived the cleaning$/)
  })
})

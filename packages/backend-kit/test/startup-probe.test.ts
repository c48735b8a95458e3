import { isCooperbenchError, type SandboxSpec } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { checkStartupProbe } from '../src/index.js'

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

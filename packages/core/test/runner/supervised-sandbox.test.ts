import type { ExecResult, Sandbox } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { supervisedSandbox } from '../../src/runner/supervised-sandbox.js'

/** A sandbox that records which of its members were called. */
function recordingSandbox(withOptional: boolean): { sandbox: Sandbox; calls: string[] } {
  const calls: string[] = []
  const result: ExecResult = { exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 0 }
  const sandbox: Sandbox = {
    id: 'recording',
    exec: async () => (calls.push('exec'), result),
    writeFile: async (path) => void calls.push(`writeFile ${path}`),
    readFile: async (path) => (calls.push(`readFile ${path}`), new Uint8Array()),
    terminate: async () => void calls.push('terminate'),
    ...(withOptional
      ? {
          writeFiles: async (files: ReadonlyMap<string, string | Uint8Array>) => void calls.push(`writeFiles ${[...files.keys()].join(' ')}`),
          exposePort: async (port: number) => (calls.push(`exposePort ${port}`), `http://127.0.0.1:${port}`),
        }
      : {}),
  }
  return { sandbox, calls }
}

describe('supervisedSandbox keeps what the backend offers', () => {
  it('passes writeFiles (one transfer for a pair’s patches) and exposePort through', async () => {
    const { sandbox, calls } = recordingSandbox(true)
    const supervised = supervisedSandbox(sandbox, 'recording', 1_000)
    expect(supervised.writeFiles).toBeTypeOf('function')
    await supervised.writeFiles!(
      new Map([
        ['/patches/patch1.patch', 'a'],
        ['/patches/tests1.patch', 'b'],
      ]),
    )
    await supervised.exposePort!(8000)
    expect(calls).toEqual(['writeFiles /patches/patch1.patch /patches/tests1.patch', 'exposePort 8000'])
  })

  it('offers neither when the backend has neither, so callers take their file-by-file path', () => {
    const supervised = supervisedSandbox(recordingSandbox(false).sandbox, 'recording', 1_000)
    expect(supervised.writeFiles).toBeUndefined()
    expect(supervised.exposePort).toBeUndefined()
  })
})

import type { Sandbox } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { writeSandboxFiles } from '../src/write-sandbox-files.js'

/** A sandbox that records its file calls (with or without `writeFiles`). */
function recording(batch: boolean): { sandbox: Sandbox; calls: string[] } {
  const calls: string[] = []
  const sandbox = {
    writeFile: async (path: string) => void calls.push(`writeFile ${path}`),
    ...(batch ? { writeFiles: async (files: ReadonlyMap<string, string | Uint8Array>) => void calls.push(`writeFiles ${[...files.keys()].join(' ')}`) } : {}),
  } as unknown as Sandbox
  return { sandbox, calls }
}

describe('writeSandboxFiles', () => {
  const files = new Map([
    ['/a', 'one'],
    ['/b', 'two'],
  ])

  it('writes every file in one transfer where the sandbox offers writeFiles', async () => {
    const { sandbox, calls } = recording(true)
    await writeSandboxFiles(sandbox, files)
    expect(calls).toEqual(['writeFiles /a /b'])
  })

  it('writes them one by one, in order, where it does not, and nothing for no files', async () => {
    const { sandbox, calls } = recording(false)
    await writeSandboxFiles(sandbox, files)
    await writeSandboxFiles(sandbox, new Map())
    expect(calls).toEqual(['writeFile /a', 'writeFile /b'])
  })
})

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeDirectory } from '../src/fs-errors.js'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cb-fs-errors-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

describe('file system errors', () => {
  it('a folder name longer than the file system takes asks for a shorter name, not for permissions', async () => {
    const error = await makeDirectory(join(root, 'a'.repeat(301))).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FILESYSTEM', message: expect.stringMatching(/: the name is too long$/) })
    expect((error as { hint: string }).hint).toMatch(/^Use a shorter name \(a run name, -n, is a folder name: at most 255 bytes\)/)
  })
})

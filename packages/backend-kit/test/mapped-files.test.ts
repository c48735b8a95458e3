import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readMappedFile, writeMappedFile } from '../src/mapped-files.js'
import { SandboxPathMap } from '../src/sandbox-path-map.js'

const root = mkdtempSync(join(tmpdir(), 'cooperbench-mapped-files-'))
const paths = new SandboxPathMap(root)
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('writeMappedFile / readMappedFile', () => {
  it('write the contract path into its host folder, parents made, no temporary file left, bytes exact', async () => {
    const bytes = new Uint8Array([0, 255, 10, 13, 128])
    await writeMappedFile(paths, 'box', '/patches/deep/one.patch', bytes)
    await writeMappedFile(paths, 'box', 'src/a.py', 'print("ü")\n')
    expect(readFileSync(join(root, 'patches/deep/one.patch'))).toEqual(Buffer.from(bytes))
    expect(readdirSync(join(root, 'patches/deep'))).toEqual(['one.patch'])
    expect(Buffer.from(await readMappedFile(paths, 'box', '/workspace/repo/src/a.py')).toString('utf8')).toBe('print("ü")\n')
  })

  it('fail as SANDBOX_FAILED naming the sandbox path', async () => {
    await expect(readMappedFile(paths, 'box', '/patches/missing.patch')).rejects.toMatchObject({
      code: 'SANDBOX_FAILED',
      message: /cannot read \/patches\/missing\.patch/,
    })
    await expect(writeMappedFile(paths, 'box', '/patches/deep', 'x')).rejects.toMatchObject({ code: 'SANDBOX_FAILED' })
  })
})

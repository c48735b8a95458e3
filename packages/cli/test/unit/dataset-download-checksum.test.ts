import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gitBlobSha1 } from '@cooperbench/standins/hf-hub'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileMatches } from '../../src/dataset-download/checksum.js'
import { isSafeRepoPath } from '../../src/dataset-download/hub-listing.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-checksum-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('checksums of downloaded files', () => {
  it('a git file is checked against its blob id (the value `git hash-object` prints)', async () => {
    const path = join(dir, 'hello.txt')
    await writeFile(path, 'hello\n')
    expect(await fileMatches(path, 6, { algorithm: 'git-blob-sha1', expected: 'ce013625030ba8dba906f756967f9e9ca394464a' })).toBe(true)
    // The plain sha1 of the bytes is not the blob id.
    expect(await fileMatches(path, 6, { algorithm: 'git-blob-sha1', expected: 'f572d396fae9206628714fb2ce00f72e94f2258f' })).toBe(false)
  })

  it('an LFS file is checked against the sha256 of its content', async () => {
    const path = join(dir, 'hello.bin')
    await writeFile(path, 'hello\n')
    expect(await fileMatches(path, 6, { algorithm: 'sha256', expected: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' })).toBe(true)
    expect(await fileMatches(path, 6, { algorithm: 'sha256', expected: '0'.repeat(64) })).toBe(false)
  })

  it('a file of another size, or none, does not match', async () => {
    const path = join(dir, 'short.txt')
    await writeFile(path, 'hello')
    expect(await fileMatches(path, 6, { algorithm: 'git-blob-sha1', expected: 'ce013625030ba8dba906f756967f9e9ca394464a' })).toBe(false)
    expect(await fileMatches(join(dir, 'missing.txt'), 6, { algorithm: 'git-blob-sha1', expected: 'ce013625030ba8dba906f756967f9e9ca394464a' })).toBe(false)
  })

  it("the stand-in hub's blob ids are git's (so the end-to-end tests check against real ids)", () => {
    for (const content of [Buffer.alloc(0), Buffer.from('hello\n'), randomBytes(70_000)]) {
      expect(gitBlobSha1(content)).toBe(execFileSync('git', ['hash-object', '--stdin'], { input: content }).toString().trim())
    }
  })
})

describe('paths the hub lists', () => {
  it('only plain relative paths are written', () => {
    for (const path of ['README.md', 'subsets/lite.json', 'go_chi_task/task26/feature1/feature.patch', '.gitattributes'])
      expect(isSafeRepoPath(path), path).toBe(true)
    for (const path of ['', '/etc/passwd', '../outside', 'a/../../b', 'a//b', 'a/./b', 'a\\b', 'C:/x', 'a/']) expect(isSafeRepoPath(path), path).toBe(false)
  })
})

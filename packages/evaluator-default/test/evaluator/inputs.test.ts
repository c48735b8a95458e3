import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Task } from '@cooperbench/spec'
import { loadTestsPatches, prepareAgentPatch, testsPatchPaths } from '../../src/evaluator/inputs.js'

const section = (path: string, body = '+x\n'): string => `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1 +1,2 @@\n a\n${body}`

const tempDirs: string[] = []
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

function taskWithTests(files: Record<number, Buffer | null>): Task {
  const dir = mkdtempSync(join(tmpdir(), 'cb-inputs-'))
  tempDirs.push(dir)
  const features = Object.entries(files).map(([id, bytes]) => {
    const fdir = join(dir, `feature${id}`)
    mkdirSync(fdir)
    if (bytes !== null) writeFileSync(join(fdir, 'tests.patch'), bytes)
    return { id: Number(id), dir: fdir }
  })
  return { repo: 'x_task', taskId: 1, dir, features, source: { url: null, bundlePath: null, baseCommit: null }, manifest: null }
}

describe('prepareAgentPatch (docs/reference-compatibility.md#evaluation)', () => {
  it('whitespace-only patches become empty', () => {
    expect(prepareAgentPatch(' \n\t\n', [])).toEqual({ patch: '', repaired: null, dropped: [] })
  })

  it('adds the missing final newline', () => {
    const p = section('src/a.py')
    expect(prepareAgentPatch(p.slice(0, -1), []).patch).toBe(p)
  })

  it('drops test-file sections and the paths the tests patches touch, and records them', () => {
    const raw = section('src/a.py') + section('tests/test_a.py') + section('docs/fixture.txt') + section('mux_test.go')
    const r = prepareAgentPatch(raw, ['docs/fixture.txt'])
    expect(r.patch).toBe(section('src/a.py'))
    expect(r.dropped).toEqual(['tests/test_a.py', 'docs/fixture.txt', 'mux_test.go'])
  })

  it('offers the quote-repaired variant only when it differs', () => {
    const plain = section('src/a.sh', "+echo 'hi'\n")
    expect(prepareAgentPatch(plain, []).repaired).toBeNull()
    const escaped = section('src/a.sh', "+echo '\\''hi'\\''\n")
    const r = prepareAgentPatch(escaped, [])
    expect(r.patch).toBe(escaped)
    expect(r.repaired).toBe(section('src/a.sh', "+echo 'hi'\n"))
  })
})

describe('loadTestsPatches', () => {
  it('reads each feature tests.patch byte-exact', async () => {
    const odd = Buffer.from(`${section('tests/t.py')}\\ No newline at end of file\n  `) // no final newline, stray spaces
    const task = taskWithTests({ 1: odd, 2: Buffer.from(section('tests/u.py')) })
    const r = await loadTestsPatches(task, [1, 2])
    expect('patches' in r).toBe(true)
    if (!('patches' in r)) return
    expect(r.patches.map((p) => p.featureId)).toEqual([1, 2])
    expect(r.patches[0]!.bytes.equals(odd)).toBe(true)
    expect([...testsPatchPaths(r.patches)]).toEqual(['tests/t.py', 'tests/u.py'])
  })

  it('a missing tests.patch is the error `Tests patch not found: <path>`', async () => {
    const task = taskWithTests({ 1: Buffer.from(section('tests/t.py')), 2: null })
    const r = await loadTestsPatches(task, [1, 2])
    expect(r).toEqual({ error: `Tests patch not found: ${join(task.dir, 'feature2', 'tests.patch')}` })
  })

  it('a feature the task does not list is looked up as task<ID>/feature<N>', async () => {
    const task = taskWithTests({ 1: Buffer.from(section('tests/t.py')) })
    const r = await loadTestsPatches({ ...task, features: [] }, [1])
    expect('patches' in r).toBe(true)
  })
})

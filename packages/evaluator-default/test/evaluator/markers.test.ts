import { describe, expect, it } from 'vitest'
import { lastMarker, parseMarkers, withoutMarkers } from '../../src/evaluator/markers.js'
import {
  BASE_COMMIT_ERROR,
  baseCommitMismatch,
  fileDigest,
  parseSetupReport,
  setupPreambleProblem,
  verifyWrittenFiles,
} from '../../src/evaluator/setup-report.js'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BASE = 'cc2dd41cbb088b7e757c04824d0a878342a28716'

describe('parseMarkers', () => {
  it('collects `::cb:: key=value` lines, values with spaces and `=` kept whole', () => {
    const m = parseMarkers('noise\n::cb:: a=1\n::cb:: file=x.patch 12 abc\r\n::cb:: a=2\n::cb:: eq=k=v\n  ::cb:: indented=no\n')
    expect([...m.keys()]).toEqual(['a', 'file', 'eq'])
    expect(m.get('a')).toEqual(['1', '2'])
    expect(lastMarker(m, 'a')).toBe('2')
    expect(lastMarker(m, 'file')).toBe('x.patch 12 abc')
    expect(lastMarker(m, 'eq')).toBe('k=v')
    expect(lastMarker(m, 'missing')).toBeUndefined()
  })

  it('ignores malformed markers and keeps empty values', () => {
    const m = parseMarkers('::cb:: novalue\n::cb:: =x\n::cb:: empty=\n')
    expect([...m.keys()]).toEqual(['empty'])
    expect(lastMarker(m, 'empty')).toBe('')
  })

  it('withoutMarkers leaves only the lines meant for people', () => {
    expect(withoutMarkers('a\n::cb:: k=v\nb\n')).toBe('a\nb\n')
  })
})

describe('parseSetupReport', () => {
  const head = Buffer.from('diff --git a/x b/x\n')
  const output = [
    '::cb:: file=patch1.patch 10 0123456789abcdef0123456789abcdef01234567',
    '::cb:: file=tests1.patch missing',
    `BASE_SHA=${BASE}`,
    `::cb:: base=${BASE}`,
    'error: patch failed: x:1',
    '::cb:: apply.agent1=applied',
    '::cb:: variant.agent1=as-is',
    '::cb:: apply.agent2=failed',
    '::cb:: variant.agent2=none',
    '::cb:: naive=conflicts',
    '::cb:: union=clean',
    '::cb:: strategy=union',
    '::cb:: merged_size=4242',
    `::cb:: merged_head_b64=${head.toString('base64')}`,
    '::cb:: setup=done',
    '',
  ].join('\n')

  it('reads every step of a complete coop setup', () => {
    const r = parseSetupReport(output)
    expect(r.done).toBe(true)
    expect(r.failedStep).toBeNull()
    expect(r.base).toBe(BASE)
    expect(r.files.get('patch1.patch')).toEqual({ size: 10, sha1: '0123456789abcdef0123456789abcdef01234567' })
    expect(r.files.get('tests1.patch')).toBeNull()
    expect(Object.fromEntries(r.apply)).toEqual({ agent1: 'applied', agent2: 'failed' })
    expect(Object.fromEntries(r.variants)).toEqual({ agent1: 'as-is', agent2: 'none' })
    expect([r.naive, r.union, r.strategy, r.mergedSize]).toEqual(['conflicts', 'clean', 'union', 4242])
    expect(Buffer.from(r.mergedHead!).equals(head)).toBe(true)
  })

  it('a script that stopped early: no end marker, the failing step named', () => {
    const r = parseSetupReport('::cb:: file=a 1 x\n::cb:: failed=base\n')
    expect(r.done).toBe(false)
    expect(r.failedStep).toBe('base')
    expect(r.base).toBeNull()
    expect(r.mergedHead).toBeNull()
    expect(r.mergedSize).toBeNull()
  })
})

describe('written-file verification', () => {
  it('fileDigest equals what `git hash-object` prints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-digest-'))
    try {
      const bytes = Buffer.from('diff --git a/x b/x\n\u00e9\u0000\r\n')
      writeFileSync(join(dir, 'f'), bytes)
      const sha = execFileSync('git', ['hash-object', '--stdin'], { cwd: dir, input: bytes }).toString().trim()
      expect(fileDigest(bytes)).toEqual({ size: bytes.length, sha1: sha })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('names the first file that is missing, unreported or different', () => {
    const a = new TextEncoder().encode('aaa\n')
    const written = new Map([['a.patch', a]])
    expect(verifyWrittenFiles(written, new Map([['a.patch', fileDigest(a)]]))).toBeNull()
    expect(verifyWrittenFiles(written, new Map())).toMatch(/^Failed to write a\.patch: /)
    expect(verifyWrittenFiles(written, new Map([['a.patch', null]]))).toMatch(/^Failed to write a\.patch: missing/)
    expect(verifyWrittenFiles(written, new Map([['a.patch', { size: 3, sha1: 'x' }]]))).toMatch(
      /^Failed to write a\.patch: the sandbox has 3 bytes .* expected 4 bytes/,
    )
  })
})

describe('baseCommitMismatch', () => {
  it('accepts the same commit (any case, or a prefix) and an unknown expectation', () => {
    expect(baseCommitMismatch(BASE, BASE.toUpperCase())).toBeNull()
    expect(baseCommitMismatch(BASE, BASE.slice(0, 12))).toBeNull()
    expect(baseCommitMismatch(BASE, null)).toBeNull()
  })

  it('names both commits when they differ', () => {
    const other = '1111111111111111111111111111111111111111'
    const message = baseCommitMismatch(BASE, other)
    expect(message).toContain(BASE)
    expect(message).toContain(other)
  })
})

describe('setupPreambleProblem', () => {
  const bytes = new TextEncoder().encode('x\n')
  const written = new Map([['a.patch', bytes]])
  const d = fileDigest(bytes)
  const fileLine = `::cb:: file=a.patch ${d.size} ${d.sha1}\n`

  it('checks, in order: the script started, the files, a base commit, the task base commit', () => {
    expect(setupPreambleProblem(parseSetupReport('bash: oops\n'), written, BASE)).toBe('not-started')
    expect(setupPreambleProblem(parseSetupReport('::cb:: file=a.patch missing\n'), written, BASE)).toMatch(/^Failed to write a\.patch/)
    expect(setupPreambleProblem(parseSetupReport(`${fileLine}::cb:: failed=base\n`), written, BASE)).toBe(BASE_COMMIT_ERROR)
    expect(setupPreambleProblem(parseSetupReport(`${fileLine}::cb:: base=${'3'.repeat(40)}\n`), written, BASE)).toMatch(/^Base commit mismatch/)
    expect(setupPreambleProblem(parseSetupReport(`${fileLine}::cb:: base=${BASE}\n`), written, BASE)).toBeNull()
  })
})

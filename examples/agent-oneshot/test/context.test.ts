import { describe, expect, it } from 'vitest'
import { listingOf, mentionedPaths, packContext, type RankedFile, rankFiles } from '../src/context.js'

const REPO = [
  'README.md',
  'docs/cache.md',
  'src/app/cache/lru_cache.py',
  'src/app/config.py',
  'src/app/server.py',
  'src/app/utils.py',
  'tests/test_server.py',
  'assets/logo.png',
  'poetry.lock',
]

describe('rankFiles', () => {
  const description = 'Add a `max_size` option to the LRU cache in `cache/lru_cache.py`, read from config.py. Document it.'

  it('puts files named by path first, then by file name, then by word overlap, leaving out binaries and lock files', () => {
    const ranked = rankFiles(REPO, description)
    expect(ranked.slice(0, 2)).toEqual([
      { path: 'src/app/cache/lru_cache.py', kind: 'path', score: expect.any(Number) },
      { path: 'src/app/config.py', kind: 'basename', score: expect.any(Number) },
    ])
    expect(ranked[2]).toMatchObject({ path: 'docs/cache.md', kind: 'score' })
    expect(ranked.map((f) => f.path)).not.toContain('assets/logo.png')
    expect(ranked.map((f) => f.path)).not.toContain('poetry.lock')
    expect(ranked).toHaveLength(REPO.length - 2)
  })

  it('scores by the words of identifiers in the description when nothing is named', () => {
    const ranked = rankFiles(REPO, 'The server should log every request; add a `requestLogger` to the server.')
    expect(ranked[0]).toMatchObject({ path: 'src/app/server.py', kind: 'score' })
    expect(ranked[0]!.score).toBeGreaterThan(ranked[ranked.length - 1]!.score)
  })
})

describe('mentionedPaths', () => {
  it('finds file names and paths, without ./ and trailing punctuation', () => {
    expect(mentionedPaths('Edit ./src/a.py and b.ts, then lib/c/ too.')).toEqual(['src/a.py', 'b.ts', 'lib/c'])
  })
})

const bytes = (text: string) => new TextEncoder().encode(text)
const line = (n: number) => `${'x'.repeat(n - 1)}\n`

describe('packContext', () => {
  const files: Record<string, Uint8Array> = {
    'named.py': bytes(line(100).repeat(30)), // 3000 bytes
    'big.py': bytes(line(100).repeat(20)), // 2000 bytes
    'small.py': bytes(line(100).repeat(5)), // 500 bytes
    'blob.bin': new Uint8Array([1, 0, 2]),
  }
  const read = async (path: string) => {
    const content = files[path]
    if (!content) throw new Error(`no ${path}`)
    return content
  }
  const ranked: RankedFile[] = [
    { path: 'named.py', kind: 'basename', score: 0 },
    { path: 'missing.py', kind: 'path', score: 0 },
    { path: 'blob.bin', kind: 'score', score: 3 },
    { path: 'big.py', kind: 'score', score: 2 },
    { path: 'small.py', kind: 'score', score: 1 },
  ]

  it('cuts a named file at a line end to fit, skips what does not fit whole for smaller files, and never exceeds the budget', async () => {
    const { files: packed, bytes: used } = await packContext(ranked, 2600, read)
    expect(packed.map((f) => [f.path, f.truncated])).toEqual([['named.py', true]])
    expect(packed[0]!.content.endsWith('\n')).toBe(true)
    expect(packed[0]!.content.length % 100).toBe(0)
    expect(used).toBeLessThanOrEqual(2600)

    const roomy = await packContext(ranked, 6000, read)
    // Room for everything but blob.bin, which is binary.
    expect(roomy.files.map((f) => [f.path, f.truncated])).toEqual([
      ['named.py', false],
      ['big.py', false],
      ['small.py', false],
    ])
    // After named.py, big.py does not fit whole and is skipped; the smaller small.py still fits.
    const tight = await packContext(ranked, 4000, read)
    expect(tight.files.map((f) => f.path)).toEqual(['named.py', 'small.py'])
  })

  it('stops reading when the signal fires', async () => {
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await expect(packContext(ranked, 6000, read, controller.signal)).rejects.toThrow('stop')
  })
})

describe('listingOf', () => {
  it('lists paths while they fit and counts the rest', () => {
    expect(listingOf(['a.py', 'b.py', 'c.py'], 10)).toBe('a.py\nb.py\n… and 1 more files')
    expect(listingOf(['a.py'], 10)).toBe('a.py')
  })
})

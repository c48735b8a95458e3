/** The clean-repo-history script on real repositories: what it keeps, what it removes, how it fails. */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanRepoHistoryArgv } from '../src/repo-history.js'

const env = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.com',
}
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim()
const clean = (repo: string, base: string) => {
  const [program, ...args] = cleanRepoHistoryArgv(repo, base) as [string, ...string[]]
  return spawnSync(program, args, { env, encoding: 'utf8' })
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-clean-history-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** An upstream with a base, later commits, a tag; a clone of it checked out at the base with a leftover branch, a stash and a commit-graph. */
async function cloneAtBase(name: string): Promise<{ repo: string; upstream: string; base: string; parent: string; later: string[] }> {
  const upstream = join(dir, `${name}-up`)
  git(dir, 'init', '-q', '-b', 'main', upstream)
  await writeFile(join(upstream, 'a.txt'), 'first\n')
  git(upstream, 'add', '.')
  git(upstream, 'commit', '-qm', 'first')
  const parent = git(upstream, 'rev-parse', 'HEAD')
  await writeFile(join(upstream, 'a.txt'), 'base\n')
  git(upstream, 'commit', '-qam', 'base')
  const base = git(upstream, 'rev-parse', 'HEAD')
  await writeFile(join(upstream, 'answer.txt'), 'ANSWER\n')
  git(upstream, 'add', '.')
  git(upstream, 'commit', '-qm', 'the answer')
  git(upstream, 'tag', 'v2')
  const later = [git(upstream, 'rev-parse', 'HEAD'), git(upstream, 'rev-parse', 'HEAD:answer.txt')]
  const repo = join(dir, name)
  git(dir, 'clone', '-q', upstream, repo)
  git(repo, 'checkout', '-q', base)
  await writeFile(join(repo, 'a.txt'), 'stashed ANSWER\n')
  git(repo, 'stash', '-q')
  later.push(git(repo, 'rev-parse', 'refs/stash'))
  git(repo, 'commit-graph', 'write', '--reachable')
  return { repo, upstream, base, parent, later }
}

describe('clean-repo-history', () => {
  it('leaves the base and its ancestors only: no refs, remotes, stash, reflog, commit-graph or later object', async () => {
    const { repo, base, parent, later } = await cloneAtBase('plain')
    expect(git(repo, 'cat-file', '-t', later[0]!)).toBe('commit')
    const result = clean(repo, base)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    for (const object of later) expect(spawnSync('git', ['cat-file', '-e', object], { cwd: repo, env }).status, object).not.toBe(0)
    expect(git(repo, 'for-each-ref')).toBe('')
    expect(git(repo, 'remote')).toBe('')
    expect(git(repo, 'log', '--all', '--format=%H')).toBe(`${base}\n${parent}`)
    expect(git(repo, 'cat-file', '--batch-all-objects', '--batch-check=%(objectname)').split('\n')).toHaveLength(
      git(repo, 'rev-list', '--objects', base).split('\n').length,
    )
    expect(git(repo, 'status', '--porcelain')).toBe('')
    expect(spawnSync('ls', [join(repo, '.git', 'logs')]).status).not.toBe(0)
  })

  it('brings in objects borrowed through alternates (a --shared clone) and drops the link', async () => {
    const { upstream, base } = await cloneAtBase('alt')
    const shared = join(dir, 'shared')
    git(dir, 'clone', '-q', '--shared', '--no-checkout', upstream, shared)
    git(shared, 'checkout', '-q', '--detach', base)
    expect(clean(shared, base).status).toBe(0)
    expect(spawnSync('test', ['-e', join(shared, '.git/objects/info/alternates')]).status).not.toBe(0)
    expect(git(shared, 'log', '--format=%s')).toBe('base\nfirst')
  })

  it('refuses a base the repository lacks (4) and a work tree not at the base (5), changing nothing', async () => {
    const { repo, parent, later } = await cloneAtBase('refuse')
    expect(clean(repo, 'f'.repeat(40)).status).toBe(4)
    const wrong = clean(repo, parent)
    expect(wrong.status).toBe(5)
    expect(wrong.stderr).toContain('not at the base commit')
    expect(git(repo, 'cat-file', '-t', later[0]!)).toBe('commit')
  })
})

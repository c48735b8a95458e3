import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { git } from './git.js'

/**
 * Objects of a task bundle that its base commit does not reach, each behind another kind of ref
 * a clone of upstream carries: the branch tip, a tag, a remote-tracking ref, a leftover branch,
 * the stash. A sandbox must not be able to read any of them ("no leaked answers").
 */
export type LaterObjects = Record<'tip' | 'tipBlob' | 'tag' | 'remote' | 'leftover' | 'stash', string>

/**
 * Rewrites `bundlePath` so that it holds, beside the base commit, later history of every kind
 * (see {@link LaterObjects}); each later file contains `ANSWER`. The base stays what it was.
 */
export async function addLaterHistory(bundlePath: string, baseCommit: string): Promise<LaterObjects> {
  const work = await mkdtemp(join(tmpdir(), 'cooperbench-later-'))
  try {
    await git(work, ['clone', '-q', bundlePath, 'repo'])
    const repo = join(work, 'repo')
    const commitOn = async (ref: string, file: string): Promise<string> => {
      await git(repo, ['checkout', '-q', '--detach', baseCommit])
      await writeFile(join(repo, file), `ANSWER = ${JSON.stringify(ref)}\n`)
      await git(repo, ['add', '-A'])
      await git(repo, ['commit', '-q', '-m', `${ref}: the answer`])
      const commit = (await git(repo, ['rev-parse', 'HEAD'])).trim()
      await git(repo, ['update-ref', ref, commit])
      return commit
    }
    const remote = await commitOn('refs/remotes/upstream/feature', 'remote_answer.py')
    const leftover = await commitOn('refs/heads/leftover', 'leftover_answer.py')
    const tag = await commitOn('refs/tags/v9', 'tagged_answer.py')
    const tip = await commitOn('refs/heads/main-tip', 'tip_answer.py')
    const tipBlob = (await git(repo, ['rev-parse', 'HEAD:tip_answer.py'])).trim()
    await git(repo, ['checkout', '-q', '--detach', baseCommit])
    await writeFile(join(repo, 'stashed_answer.py'), 'ANSWER = "stash"\n')
    await git(repo, ['add', '-A'])
    await git(repo, ['stash', '-q'])
    const stash = (await git(repo, ['rev-parse', 'refs/stash'])).trim()
    await git(repo, ['bundle', 'create', '-q', bundlePath, '--all'])
    return { tip, tipBlob, tag, remote, leftover, stash }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

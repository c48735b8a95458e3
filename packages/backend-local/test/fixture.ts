import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SandboxSpec, Task } from '@cooperbench/spec'
import { findExecutable } from '../src/host-tools.js'

/** The bwrap these tests run against, or null; tests skip with this reason unless CI is set. */
export const bwrapPath = findExecutable('bwrap', process.env.PATH ?? '')
export const bwrapSkipReason = 'bubblewrap (bwrap) is not installed'
if (bwrapPath === null && process.env.CI) {
  throw new Error(`${bwrapSkipReason}, and CI is set: the local backend tests must run in CI`)
}

/** Pids of this process's children whose argv passes `matches` (read from /proc). */
export function childPids(matches: (argv: string[]) => boolean): number[] {
  const pids: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (parent === process.pid && matches(readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0'))) pids.push(Number(name))
    } catch {
      // Gone meanwhile.
    }
  }
  return pids
}

/** A tiny task in the dataset's format: a bundle with two commits, runner.sh, cooperbench.json. */
export interface TaskFixture {
  task: Task
  /** Temp directory holding everything; `cleanup` removes it. */
  dir: string
  baseCommit: string
  /** The base's parent: history an agent may read. */
  parentCommit: string
  tipCommit: string
  /**
   * Objects the bundle holds that the base does not reach, each readable through one kind of ref
   * (the branch tip, a tag, a remote-tracking ref, a leftover branch, the stash): none may reach a sandbox.
   */
  laterObjects: Record<'tip' | 'tipBlob' | 'tag' | 'remote' | 'leftover' | 'stash', string>
  cleanup(): Promise<void>
}

const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.com',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.com',
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim()
}

export async function makeTaskFixture(options: { hostTools?: string[] | null; runner?: boolean; parent?: string } = {}): Promise<TaskFixture> {
  const dir = await mkdtemp(join(options.parent ?? tmpdir(), 'cb-local-fixture-'))
  const source = join(dir, 'source')
  await mkdir(source)
  git(source, 'init', '--quiet', '--initial-branch=main')
  await writeFile(join(source, 'README.md'), 'first version\n')
  git(source, 'add', '.')
  git(source, 'commit', '--quiet', '-m', 'first')
  const parentCommit = git(source, 'rev-parse', 'HEAD')
  await writeFile(join(source, 'README.md'), 'base version\n')
  await writeFile(join(source, 'hello.py'), 'print("hello")\n')
  git(source, 'add', '.')
  git(source, 'commit', '--quiet', '-m', 'base')
  const baseCommit = git(source, 'rev-parse', 'HEAD')
  // The later history a clone of upstream carries, each piece behind another kind of ref.
  const commitOn = async (ref: string, file: string, text: string): Promise<string> => {
    git(source, 'checkout', '--quiet', '--detach', baseCommit)
    await writeFile(join(source, file), text)
    git(source, 'add', '.')
    git(source, 'commit', '--quiet', '-m', `${ref}: the answer`)
    const commit = git(source, 'rev-parse', 'HEAD')
    git(source, 'update-ref', ref, commit)
    return commit
  }
  const remote = await commitOn('refs/remotes/upstream/feature', 'remote.py', 'ANSWER_REMOTE = 1\n')
  const leftover = await commitOn('refs/heads/leftover', 'leftover.py', 'ANSWER_LEFTOVER = 1\n')
  const tagged = await commitOn('refs/tags/v9', 'tagged.py', 'ANSWER_TAG = 1\n')
  git(source, 'checkout', '--quiet', 'main')
  await writeFile(join(source, 'README.md'), 'later version\n')
  git(source, 'commit', '--quiet', '-am', 'later')
  const tipCommit = git(source, 'rev-parse', 'HEAD')
  const tipBlob = git(source, 'rev-parse', 'HEAD:README.md')
  await writeFile(join(source, 'hello.py'), 'print("ANSWER_STASH")\n')
  git(source, 'stash', '--quiet')
  const stash = git(source, 'rev-parse', 'refs/stash')
  const laterObjects = { tip: tipCommit, tipBlob, tag: tagged, remote, leftover, stash }

  const taskDir = join(dir, 'fixture_task', 'task1')
  await mkdir(join(taskDir, 'feature1'), { recursive: true })
  git(source, 'bundle', 'create', '--quiet', join(taskDir, 'repo.bundle'), '--all')
  await writeFile(join(taskDir, 'feature1', 'feature.patch'), 'gold patch, not for agents\n')
  if (options.runner !== false) {
    await writeFile(join(taskDir, 'runner.sh'), '#!/bin/bash\necho "runner ok: $*"\n', { mode: 0o755 })
  }
  const hostTools = options.hostTools === undefined ? ['git', 'bash'] : options.hostTools
  if (hostTools !== null) await writeFile(join(taskDir, 'cooperbench.json'), JSON.stringify({ local: { hostTools } }))

  const task: Task = {
    repo: 'fixture_task',
    taskId: 1,
    dir: taskDir,
    features: [{ id: 1, dir: join(taskDir, 'feature1') }],
    source: { url: null, bundlePath: join(taskDir, 'repo.bundle'), baseCommit },
    manifest: hostTools === null ? null : { local: { hostTools } },
  }
  return { task, dir, baseCommit, parentCommit, tipCommit, laterObjects, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

export function specFor(task: Task, role = 'agent1', labels: Record<string, string> = { runName: 'test-run' }): SandboxSpec {
  return { task, image: 'unused-by-local', role, labels }
}

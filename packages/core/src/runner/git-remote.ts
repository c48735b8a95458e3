import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type GitRemote, type Sandbox, CooperbenchError } from '@cooperbench/spec'
import type { Lifetime } from '../plugin/lifetime.js'

const run = promisify(execFile)

/** `--git`: a bare repository on the host mounted in each seat at `/cooperbench/<name>.git` (no server, no network), removed with `lifetime`. */
export async function createGitRemote(lifetime: Lifetime, name: string): Promise<GitRemote> {
  const dir = await mkdtemp(join(tmpdir(), 'cooperbench-remote-'))
  lifetime.own(`git remote ${dir}`, () => rm(dir, { recursive: true, force: true }))
  const repo = join(dir, `${name}.git`)
  await run('git', ['init', '-q', '--bare', repo])
  const sandboxPath = `/cooperbench/${name}.git`
  return { sharedDir: { hostPath: repo, sandboxPath }, git: { remote: name, url: sandboxPath } }
}

/** The reference's protocol (`reference-config:…`, `reference-template:…`): the remote is prepared as its 0.0.14 connector does, no fetch. */
export function followsReferenceProtocol(promptSource: string | undefined): boolean {
  return promptSource?.startsWith('reference-') ?? false
}

/**
 * docs/reference-compatibility.md#git-remote: identity, the remote (`team`, as upstream), its own branch pushed with tracking,
 * `<remote>/main` = the base commit. With `prefetch` (our profiles) teammates' branches are `<remote>/<peer>` at the start; without
 * (the reference's, 0.0.14) only after the agent's `git fetch`. Repository hooks never run.
 */
export async function connectToGitRemote(
  sandbox: Sandbox,
  remote: GitRemote['git'],
  agentId: string,
  baseCommit: string,
  options: { prefetch: boolean; signal?: AbortSignal },
): Promise<void> {
  const { prefetch, signal } = options
  const name = remote.remote
  const git = 'git -c core.hooksPath=/dev/null'
  const script = [
    'set -e',
    'cd /workspace/repo',
    'git config user.email agent@cooperbench.local',
    `git config user.name ${agentId}`,
    `git remote remove ${name} 2>/dev/null || true`,
    `git remote add ${name} ${remote.url}`,
    `git checkout -q -B ${agentId}`,
    // Both agents seed main at once; a lost race is fine once main is the base commit.
    'for attempt in 1 2 3 4 5; do',
    `  ${git} push -q -f ${name} ${baseCommit}:refs/heads/main 2>/dev/null && break`,
    `  git fetch -q ${name} main 2>/dev/null && [ "$(git rev-parse FETCH_HEAD)" = "${baseCommit}" ] && break`,
    '  sleep 0.2',
    'done',
    `${git} push -q -f -u ${name} ${agentId} || echo "warning: could not push branch ${agentId}" >&2`,
    ...(prefetch ? [`git fetch -q ${name}`] : []),
  ].join('\n')
  const result = await sandbox.exec(script, { timeoutMs: 120_000, signal })
  if (result.exitCode !== 0) {
    throw new CooperbenchError(
      'SANDBOX_FAILED',
      `could not connect ${agentId} to the shared git remote: ${(result.stderr || result.stdout).trim().slice(-500)}`,
      {
        hint: "The sandbox must mount the pair's shared directory (SandboxSpec.sharedDirs); check the backend supports it.",
      },
    )
  }
}

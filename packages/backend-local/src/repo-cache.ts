import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises'
import { delimiter, dirname, join } from 'node:path'
import {
  CLEAN_REPO_HISTORY_DIGEST,
  cleanRepoHistoryArgv,
  cleanRepoHistoryFailure,
  sharedPerKey,
  startHostCommand,
  untilAborted,
} from '@cooperbench/backend-kit'
import { CooperbenchError } from '@cooperbench/spec'
import { removeTree } from './workspace.js'

/** Where a task's base code comes from: its `repo.bundle` and the commit every patch is relative to. */
export interface RepoBundle {
  /** For naming the cache entry, e.g. `pallets_jinja_task-1621`. */
  name: string
  bundlePath: string
  baseCommit: string
}

/**
 * Bare mirrors of task bundles, one per bundle and base commit, holding the base and its ancestors only (the kit's clean-repo-history
 * script, once per bundle). Fetching a bundle is the slow part of making a sandbox; a local clone of a mirror only hardlinks the
 * packs (no `alternates`: the sandbox's repository is complete, and no host path leaks into it).
 */
export class RepoCache {
  /** One creation per mirror per process; other processes are kept out by the atomic rename. */
  private readonly mirrors = new Map<string, Promise<string>>()

  /** @param lifetime aborts mirror creations when the backend closes (a caller's signal stops only its own wait). */
  constructor(
    private readonly cacheDir: string,
    private readonly git: string,
    private readonly lifetime?: AbortSignal,
  ) {}

  /**
   * Puts the repository at new `dest`, base commit detached as in the task image, without remote
   * and reflog (both name host paths) or later history. One git process (and its upload-pack): the
   * mirror's HEAD is the base, detached by the cleaning script, so the clone checks it out itself;
   * the remote and HEAD are file edits and reads, not further git processes.
   */
  async checkout(bundle: RepoBundle, dest: string, signal?: AbortSignal): Promise<void> {
    const mirror = await this.mirror(bundle, signal)
    await runGit(this.git, ['clone', '--quiet', '--local', '--', mirror, dest], { signal })
    const gitDir = join(dest, '.git')
    await removeOriginRemote(join(gitDir, 'config'), mirror, bundle.name)
    await rm(join(gitDir, 'logs'), { recursive: true, force: true })
    const head = await detachedHead(this.git, dest, signal)
    if (head !== bundle.baseCommit.toLowerCase()) {
      throw new CooperbenchError('SANDBOX_FAILED', `${bundle.name}: the checkout's HEAD is ${head}, not the base commit ${bundle.baseCommit} detached`)
    }
  }

  /** Resolves once no mirror is being made (an aborted one has then killed its git and removed its folder). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.mirrors.values()])
  }

  /** The path of the mirror of `bundle`, creating it on first use. */
  mirror(bundle: RepoBundle, signal?: AbortSignal): Promise<string> {
    // A failed or aborted creation is forgotten: it must not poison later attempts.
    const pending = sharedPerKey(this.mirrors, `${bundle.bundlePath}\0${bundle.baseCommit}`, () => this.createMirror(bundle, this.lifetime))
    return untilAborted(pending, signal)
  }

  private async createMirror(bundle: RepoBundle, signal?: AbortSignal): Promise<string> {
    const source = await realpath(bundle.bundlePath)
    const info = await stat(source)
    // A changed bundle (size+mtime), base or cleaning script gets a new mirror.
    const digest = createHash('sha256')
      .update(`${source}\0${info.size}\0${info.mtimeMs}\0${bundle.baseCommit.toLowerCase()}\0${CLEAN_REPO_HISTORY_DIGEST}`)
      .digest('hex')
      .slice(0, 16)
    const final = join(this.cacheDir, `${bundle.name.replace(/[^\w.-]/g, '_')}-${digest}.git`)
    await mkdir(this.cacheDir, { recursive: true, mode: 0o700 })

    if (!existsSync(final)) {
      const temp = join(this.cacheDir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}.git`)
      try {
        await runGit(this.git, ['clone', '--quiet', '--mirror', '--', source, temp], { signal })
        await this.requireCommit(temp, bundle, signal)
        await this.cleanHistory(temp, bundle, signal)
        // Publish only a complete mirror; another process's that won the race is just as good.
        await rename(temp, final).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error
        })
      } finally {
        await removeTree(temp)
      }
    }
    // No second `cat-file` here: a published mirror passed requireCommit and the cleaning script,
    // which checks the base too.
    return final
  }

  /** Leaves the base commit and its ancestors only in the mirror `repo`; SANDBOX_FAILED naming the cause otherwise. */
  private async cleanHistory(repo: string, bundle: RepoBundle, signal?: AbortSignal): Promise<void> {
    const [program, ...args] = cleanRepoHistoryArgv(repo, bundle.baseCommit) as [string, ...string[]]
    // The script calls `git`: the same one the backend found.
    const env = gitEnvironment()
    env.PATH = `${dirname(this.git)}${delimiter}${env.PATH ?? ''}`
    const run = startHostCommand([program, ...args], { env, signal, maxOutputBytes: 64 * 1024, rejectStartFailure: true })
    const result = await run.outcome
    if (result.stoppedBy === 'abort') signal?.throwIfAborted()
    if (result.exitCode !== 0) {
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `${bundle.name}: cannot remove the history after the base commit from ${bundle.bundlePath}: ${cleanRepoHistoryFailure(result.exitCode)}`,
        {
          details: result.stderr.text().trim().split('\n'),
          hint: 'Check the bundle with `git bundle verify`; a sandbox must not hold the commits that implemented the features.',
        },
      )
    }
  }

  private async requireCommit(repo: string, bundle: RepoBundle, signal?: AbortSignal): Promise<void> {
    try {
      await runGit(this.git, ['cat-file', '-e', `${bundle.baseCommit}^{commit}`], { cwd: repo, signal })
    } catch (error) {
      if (signal?.aborted) throw error
      throw new CooperbenchError('SANDBOX_FAILED', `${bundle.name}: ${bundle.bundlePath} does not contain the base commit ${bundle.baseCommit}`, {
        hint: 'Rebuild the task bundle from the upstream repository (it must include the base commit).',
        cause: error,
      })
    }
  }
}

/**
 * The commit HEAD is detached at, or what HEAD names instead. With refs in files, as git 2.x writes
 * them, detached HEAD holds the commit's id alone (on a branch it reads `ref: refs/heads/…`): no
 * process. Any other content (the reftable format keeps a placeholder there) is asked of git
 * itself.
 */
async function detachedHead(git: string, dest: string, signal?: AbortSignal): Promise<string> {
  const file = (await readFile(join(dest, '.git', 'HEAD'), 'utf8')).trim()
  if (/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(file)) return file
  const name = (await runGit(git, ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: dest, signal })).trim()
  return name === 'HEAD' ? (await runGit(git, ['rev-parse', 'HEAD'], { cwd: dest, signal })).trim() : `the branch ${name}`
}

/**
 * `git remote remove origin` without its process. The clone appended the section (keys
 * tab-indented) naming the mirror, a host path; the mirror has no refs, so no remote-tracking refs
 * came along. SANDBOX_FAILED if the path is still named after.
 */
async function removeOriginRemote(configPath: string, mirror: string, name: string): Promise<void> {
  const config = await readFile(configPath, 'utf8')
  const kept = config.replace(/^\[remote "origin"\]\n(?:[ \t].*(?:\n|$))*/m, '')
  if (kept.includes('[remote ') || kept.includes(mirror)) {
    throw new CooperbenchError('SANDBOX_FAILED', `${name}: the checkout's git config still names a remote after removing "origin"`, {
      details: kept.trim().split('\n'),
      hint: 'This git writes its config in an unexpected layout; please report it with `git --version`.',
    })
  }
  await writeFile(configPath, kept)
}

/** Git on the host, without the user's configuration (templates, autocrlf, hooks); stdout, or SANDBOX_FAILED with git's stderr. */
async function runGit(git: string, args: readonly string[], options: { cwd?: string; signal?: AbortSignal } = {}): Promise<string> {
  const env = gitEnvironment()
  const run = startHostCommand([git, ...args], { env, cwd: options.cwd, signal: options.signal, maxOutputBytes: 1024 * 1024, rejectStartFailure: true })
  const result = await run.outcome.catch((error: unknown) => {
    throw new CooperbenchError('SANDBOX_FAILED', `cannot run git (${git}): ${(error as Error).message}`, { cause: error })
  })
  if (result.stoppedBy === 'abort') options.signal?.throwIfAborted()
  if (result.exitCode !== 0) {
    throw new CooperbenchError('SANDBOX_FAILED', `git ${args[0]} failed (exit ${result.exitCode}): ${result.stderr.text().trim()}`)
  }
  return result.stdout.text()
}

/** The host's environment for git, without GIT_* variables and the user's configuration. */
function gitEnvironment(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    // GIT_DIR and friends (set when we run inside a git hook) would redirect every command.
    if (!name.startsWith('GIT_') && value !== undefined) env[name] = value
  }
  return Object.assign(env, { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' })
}

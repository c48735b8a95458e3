import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, realpath, rename, rm, stat } from 'node:fs/promises'
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
 * Bare mirrors of task bundles, one per bundle and base commit, kept under the backend's cache
 * directory. A mirror holds the base commit and its ancestors only: the bundle's other branches,
 * tags, remote refs, stash and every object the base does not reach are removed once, when the
 * mirror is made (backend-kit's clean-repo-history script), so no sandbox can read the commits
 * that implemented the features (upstream 0.0.23's fix, done here once per bundle).
 *
 * Fetching a bundle is the slow part of making a sandbox (it indexes every object); a local
 * clone of a mirror only hardlinks the pack files. The clone gets its own copies of the links,
 * not `alternates` pointing back at the host cache, so the repository in the sandbox is complete
 * on its own and no host path leaks into it.
 */
export class RepoCache {
  /** One creation per mirror per process; other processes are kept out by the atomic rename. */
  private readonly mirrors = new Map<string, Promise<string>>()

  /**
   * @param lifetime aborts mirror creations in flight when the backend closes. A caller's own
   * signal only stops that caller's wait: other sandboxes may be waiting for the same mirror.
   */
  constructor(
    private readonly cacheDir: string,
    private readonly git: string,
    private readonly lifetime?: AbortSignal,
  ) {}

  /**
   * Puts the bundle's repository at `dest` (which must not exist) with the base commit checked
   * out as a detached HEAD, like `git clone <upstream> && git checkout <base>` in the task image,
   * minus the remote (its URL would be a host path), the later history (see the class) and the
   * clone's reflog (it names the host path of the mirror).
   */
  async checkout(bundle: RepoBundle, dest: string, signal?: AbortSignal): Promise<void> {
    const mirror = await this.mirror(bundle, signal)
    await runGit(this.git, ['clone', '--quiet', '--local', '--no-checkout', '--', mirror, dest], { signal })
    await runGit(this.git, ['remote', 'remove', 'origin'], { cwd: dest, signal })
    await runGit(this.git, ['checkout', '--quiet', '--detach', bundle.baseCommit], { cwd: dest, signal })
    await rm(join(dest, '.git', 'logs'), { recursive: true, force: true })
    const head = (await runGit(this.git, ['rev-parse', 'HEAD'], { cwd: dest, signal })).trim()
    if (head !== bundle.baseCommit.toLowerCase()) {
      throw new CooperbenchError('SANDBOX_FAILED', `${bundle.name}: the checkout is at ${head}, not at the base commit ${bundle.baseCommit}`)
    }
  }

  /**
   * Resolves once no mirror is being made: a creation aborted by the backend's lifetime has then
   * killed its git processes and removed its half-made mirror.
   */
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
    // A changed bundle (a dataset update) gets a new mirror; size+mtime is enough to notice. The
    // base and the cleaning script decide what the mirror keeps.
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
        // Publish only a complete mirror. If another process won the race its mirror is just as
        // good; ours is dropped.
        await rename(temp, final).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error
        })
      } finally {
        await removeTree(temp)
      }
    }
    await this.requireCommit(final, bundle, signal)
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
 * Runs git on the host, isolated from the user's configuration (a global `init.templateDir`,
 * `core.autocrlf` or hooks would otherwise end up in the task repository). Resolves with stdout;
 * a failure becomes a SANDBOX_FAILED error carrying git's stderr.
 */
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

import { join, posix } from 'node:path'
import { SANDBOX_PATCHES_DIR, SANDBOX_REPO_DIR, type SharedDir } from '@cooperbench/spec'

/** The variables every command of a mapped sandbox gets: where the repository and `/patches` really are. */
export const MAPPED_PATH_VARIABLES = { repo: 'COOPERBENCH_REPO_DIR', patches: 'COOPERBENCH_PATCHES_DIR' } as const

/**
 * A backend's sandbox paths as host folders under `root` (no mount namespace): `/workspace/repo` is `<root>/repo`, `/patches`
 * `<root>/patches`, shared directories their host paths, `<root>/home` the HOME; all else (`/tmp` too) is the host's. `cwd` and file
 * paths are mapped; a path inside a command's text (`cd /workspace/repo`) cannot be.
 */
export class SandboxPathMap {
  readonly repo: string
  readonly patches: string
  readonly home: string
  /** [sandbox path, host path], longest sandbox path first, so the most specific mapping wins. */
  private readonly mappings: ReadonlyArray<readonly [string, string]>

  constructor(
    readonly root: string,
    sharedDirs: readonly SharedDir[] = [],
  ) {
    this.repo = join(root, 'repo')
    this.patches = join(root, 'patches')
    this.home = join(root, 'home')
    const mappings: Array<readonly [string, string]> = [
      [SANDBOX_REPO_DIR, this.repo],
      [SANDBOX_PATCHES_DIR, this.patches],
      ...sharedDirs.map((dir) => [posix.resolve(dir.sandboxPath), dir.hostPath] as const),
    ]
    this.mappings = mappings.sort(([a], [b]) => b.length - a.length)
  }

  /** The host path of a sandbox path (a relative one is relative to `/workspace/repo`). */
  toHost(path: string): string {
    const absolute = posix.resolve(SANDBOX_REPO_DIR, path)
    for (const [inside, host] of this.mappings) {
      if (absolute === inside) return host
      if (absolute.startsWith(`${inside}/`)) return join(host, absolute.slice(inside.length + 1))
    }
    return absolute
  }

  /** {@link MAPPED_PATH_VARIABLES} with their host folders. */
  get variables(): Record<string, string> {
    return { [MAPPED_PATH_VARIABLES.repo]: this.repo, [MAPPED_PATH_VARIABLES.patches]: this.patches }
  }
}

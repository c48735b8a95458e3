import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'

/** Finds programs on the host's PATH as the sandbox sees them (`isShared` rules out unshared directories, e.g. `/tmp`); each tool is looked up once. */
export class HostToolFinder {
  private readonly cache = new Map<string, string | null>()

  constructor(
    private readonly searchPath: string,
    private readonly isShared: (hostPath: string) => boolean = () => true,
  ) {}

  /** Absolute path of `tool`, or null when no shared PATH directory has it as an executable. */
  find(tool: string): string | null {
    let found = this.cache.get(tool)
    if (found === undefined) {
      found = findExecutable(tool, this.searchPath, this.isShared)
      this.cache.set(tool, found)
    }
    return found
  }
}

/** Like `command -v`: `name` when it contains a slash, else the first PATH directory's executable regular file of that name. */
export function findExecutable(name: string, searchPath: string, isShared: (hostPath: string) => boolean = () => true): string | null {
  if (name === '') return null
  if (name.includes('/')) return isAbsolute(name) && isShared(name) && isExecutableFile(name) ? name : null
  for (const dir of searchPath.split(delimiter)) {
    // An empty or relative entry means "the current directory", which the sandbox does not share.
    if (!isAbsolute(dir) || !isShared(dir)) continue
    const candidate = join(dir, name)
    if (isExecutableFile(candidate)) return candidate
  }
  return null
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

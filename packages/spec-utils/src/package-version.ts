import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * `packageVersion(import.meta.url)`: the `version` of the nearest package.json at or above the module, as Node resolves package scope.
 * It lies outside tsconfig's `rootDir` (src), so cannot be imported; walking up finds it from `dist/` and `src/` (tests run on either).
 */
export function packageVersion(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl))
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = readManifest(join(dir, 'package.json'))
    if (manifest !== null) {
      if (typeof manifest.version !== 'string') throw new Error(`${join(dir, 'package.json')} has no "version"`)
      return manifest.version
    }
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`)
  }
}

function readManifest(path: string): { version?: unknown } | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

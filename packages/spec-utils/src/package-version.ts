import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The `version` of the package a module belongs to: the nearest package.json at or above the
 * module's folder, as Node resolves package scope. Call it as `packageVersion(import.meta.url)`.
 * A package's package.json lies outside its tsconfig `rootDir` (src), so it cannot be imported;
 * walking up finds it both from `dist/` and from `src/` (tests run on either).
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

import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { hostPlatformKey } from '../../src/binary.js'
import type { CliProfile } from '../../src/index.js'

/** A folder under the host's `/tmp` with npm packages in it, as a checkout or an npm prefix there has them. */
export interface TmpInstall {
  /** The folder: `hostBinary(profile, join(dir, 'package.json'))` finds the CLIs in it. */
  dir: string
  remove(): Promise<void>
}

/**
 * Installs the profiles' CLIs (the devDependencies of this package) again under `/tmp` (not
 * TMPDIR: `/tmp` is the directory local sandboxes have their own of), each package folder as npm
 * lays it out: hard links where `/tmp` is on the same file system, copies elsewhere.
 */
export async function installUnderTmp(profiles: readonly CliProfile[]): Promise<TmpInstall> {
  const dir = await mkdtemp('/tmp/cb-cli-install-')
  await writeFile(join(dir, 'package.json'), '{ "private": true }\n')
  const require = createRequire(import.meta.url)
  for (const profile of profiles) {
    const main = require.resolve(`${profile.npm.package}/package.json`)
    const platform = profile.npm.platforms[hostPlatformKey()]?.package ?? profile.npm.package
    const packages = new Map([[profile.npm.package, dirname(main)]])
    if (platform !== profile.npm.package) packages.set(platform, dirname(createRequire(main).resolve(`${platform}/package.json`)))
    for (const [name, source] of packages) {
      const target = join(dir, 'node_modules', name)
      await mkdir(dirname(target), { recursive: true })
      try {
        execFileSync('cp', ['-al', source, target], { stdio: 'pipe' })
      } catch {
        await rm(target, { recursive: true, force: true })
        execFileSync('cp', ['-a', source, target], { stdio: 'pipe' })
      }
    }
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

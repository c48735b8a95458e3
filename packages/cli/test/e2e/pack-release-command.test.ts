import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT, tempDir } from './helpers.js'

/**
 * The install command `pnpm pack:release` prints is pasted in another folder (the README's
 * research folder): every tarball it names must be found from there.
 */
describe('pnpm pack:release', () => {
  it('prints an npm install whose tarball paths work from any folder', async () => {
    const checkout = await tempDir('pack-cwd')
    const research = await tempDir('research')
    // Packed into ./release of the folder the script runs in, as `pnpm pack:release` in a checkout does.
    const printed = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'pack-release.mjs'), 'release'], { cwd: checkout, encoding: 'utf8' })
    const command = printed.trim().split('\n').at(-1)!
    const [npm, install, ...tarballs] = command.split(' ')
    expect([npm, install]).toEqual(['npm', 'install'])
    expect(tarballs.length).toBeGreaterThan(3)
    for (const tarball of tarballs) {
      expect(tarball, command).toMatch(/^\/.*\.tgz$/)
      expect(existsSync(resolve(research, tarball)), `${tarball} from ${research}`).toBe(true)
    }
  }, 300_000)
})

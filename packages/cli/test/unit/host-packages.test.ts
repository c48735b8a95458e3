import { realpathSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { foreignHostPackages, HOST_PACKAGES, hostPackageDirs, provideHostPackages } from '../../src/host-packages.js'

describe("the plugins data dir takes the CLI's own @cooperbench packages", () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cb-host-packages-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const read = async (dataDir: string) => JSON.parse(await readFile(join(dataDir, 'package.json'), 'utf8')) as Record<string, unknown>

  it("finds the CLI's copies as real folders of the packages", () => {
    const dirs = hostPackageDirs()
    expect(Object.keys(dirs)).toEqual([...HOST_PACKAGES])
    expect(realpathSync(dirs['@cooperbench/spec']!)).toBe(dirs['@cooperbench/spec'])
    expect(dirs['@cooperbench/spec']).toMatch(/spec$/)
  })

  it('a fresh data dir gets the manifest @oclif/plugin-plugins would write, with the file: peers', async () => {
    const dataDir = join(dir, 'fresh')
    await provideHostPackages(dataDir, { '@cooperbench/spec': '/opt/cli/spec' })
    expect(await read(dataDir)).toEqual({
      private: true,
      oclif: { schema: 1, plugins: [] },
      dependencies: {},
      peerDependencies: { '@cooperbench/spec': 'file:/opt/cli/spec' },
    })
  })

  it('a CLI that moved rewrites its peers and keeps the installed plugins and any other peer', async () => {
    const dataDir = join(dir, 'moved')
    await mkdir(dataDir)
    const before = {
      name: 'cooperbench',
      private: true,
      dependencies: { 'cb-plugin': 'file:../cb-plugin-1.0.0.tgz' },
      oclif: { schema: 1, plugins: [{ name: 'cb-plugin', type: 'user', url: 'file:/x/cb-plugin-1.0.0.tgz' }] },
      peerDependencies: { '@cooperbench/spec': 'file:/old/spec', react: '^19.0.0' },
    }
    await writeFile(join(dataDir, 'package.json'), JSON.stringify(before))
    await provideHostPackages(dataDir, { '@cooperbench/spec': '/new/spec' })
    expect(await read(dataDir)).toEqual({ ...before, peerDependencies: { '@cooperbench/spec': 'file:/new/spec', react: '^19.0.0' } })
  })

  it('names the packages the data dir does not resolve to the CLI: missing, or another copy', async () => {
    const dataDir = join(dir, 'linked')
    const dirs = hostPackageDirs()
    const [spec, utils, kit, core, team] = HOST_PACKAGES
    await mkdir(join(dataDir, 'node_modules', '@cooperbench', 'kit-copy'), { recursive: true })
    await symlink(dirs[spec]!, join(dataDir, 'node_modules', spec))
    await symlink(dirs[utils]!, join(dataDir, 'node_modules', utils))
    await symlink(join(dataDir, 'node_modules', '@cooperbench', 'kit-copy'), join(dataDir, 'node_modules', kit))
    expect([...foreignHostPackages(dataDir, dirs).keys()]).toEqual([kit, core, team])
  })
})

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfigFile } from '@cooperbench/config'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeBackendSettings } from '../../src/config-file-writer.js'

describe('writing a backend’s settings into the user’s config file', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cb-config-writer-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const update = { backend: 'modal', options: { appName: 'lab', environment: 'dev' }, makeDefault: false }

  it('creates cooperbench.config.json when there is none, which the loader then reads', async () => {
    const cwd = await mkdtemp(join(dir, 'none-'))
    const written = await writeBackendSettings(null, cwd, { ...update, makeDefault: true })
    expect(written).toBe(join(cwd, 'cooperbench.config.json'))
    expect((await loadConfigFile(cwd))?.config).toMatchObject({ backend: 'modal', backends: { modal: { appName: 'lab', environment: 'dev' } } })
  })

  it('merges into a JSON file, keeping the other keys and the backend’s other options', async () => {
    const file = join(dir, 'cooperbench.config.json')
    await writeFile(file, JSON.stringify({ concurrency: 3, backends: { modal: { cpu: 4, appName: 'old' }, docker: { network: 'none' } } }))
    await writeBackendSettings(file, dir, update)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      concurrency: 3,
      backends: { modal: { cpu: 4, appName: 'lab', environment: 'dev' }, docker: { network: 'none' } },
    })
  })

  it('edits a YAML file in place, keeping its comments', async () => {
    const file = join(dir, 'cooperbench.config.yaml')
    await writeFile(file, '# our lab settings\nconcurrency: 3 # two GPUs\nbackends:\n  modal:\n    cpu: 4\n')
    await writeBackendSettings(file, dir, { ...update, makeDefault: true })
    const text = await readFile(file, 'utf8')
    expect(text).toContain('# our lab settings')
    expect(text).toContain('concurrency: 3 # two GPUs')
    expect(text).toMatch(/modal:\n\s+cpu: 4\n\s+appName: lab\n\s+environment: dev/)
    expect(text).toMatch(/^backend: modal$/m)
  })

  it('writes under the cooperbench key of package.json', async () => {
    const file = join(dir, 'package.json')
    await writeFile(file, JSON.stringify({ name: 'research', private: true }))
    await writeBackendSettings(file, dir, update)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      name: 'research',
      private: true,
      cooperbench: { backends: { modal: { appName: 'lab', environment: 'dev' } } },
    })
  })

  it('refuses to edit a program, showing what to add; refuses an unreadable file, leaving it as it was', async () => {
    const program = join(dir, 'cooperbench.config.ts')
    await writeFile(program, 'export default { concurrency: 2 }\n')
    await expect(writeBackendSettings(program, dir, update)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      details: expect.arrayContaining([expect.stringContaining('"appName": "lab"')]),
    })
    const broken = join(dir, 'broken', 'cooperbench.config.json')
    await rm(join(dir, 'broken'), { recursive: true, force: true })
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'broken')))
    await writeFile(broken, '{ "concurrency": ')
    await expect(writeBackendSettings(broken, dir, update)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(broken) })
    expect(await readFile(broken, 'utf8')).toBe('{ "concurrency": ')
    expect(await readFile(program, 'utf8')).toBe('export default { concurrency: 2 }\n')
  })
})

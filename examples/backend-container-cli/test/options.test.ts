import { createRequire } from 'node:module'
import { type CooperbenchError, isCooperbenchError, type Task } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { imageName } from '@cooperbench/backend-kit'
import { PluginRegistry } from '@cooperbench/core'
import { CONFIG_DEFAULTS } from '@cooperbench/config'
import { describe, expect, it } from 'vitest'
import { ContainerCliBackend } from '../src/index.js'
import register from '../src/register.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** A registry with this plugin loaded through its oclif hook, as the CLI loads it. */
async function registry(): Promise<PluginRegistry> {
  const loaded = new PluginRegistry()
  await register({ registry: loaded })
  return loaded
}

async function refusal(options: Record<string, unknown>): Promise<CooperbenchError> {
  const error = await (await registry()).create('backend', 'container-cli', { options, logger: silentLogger }).then(
    () => null,
    (caught: unknown) => caught,
  )
  if (!isCooperbenchError(error)) throw new Error(`expected a CooperbenchError for ${JSON.stringify(options)}, got ${String(error)}`)
  return error
}

describe('registration', () => {
  it('registers backend "container-cli" under the package name and version, for core ^0.1.0', async () => {
    const entry = (await registry()).get('backend', 'container-cli')
    expect(entry.plugin).toEqual({ name: 'cooperbench-backend-container-cli', version, coreRange: '^0.1.0' })
    expect(entry.specificationVersion).toBe('backend-v1')
    expect(entry.optionsSchema).toMatchObject({ additionalProperties: false })
  })

  it('creates the backend with the defaults filled in', async () => {
    const backend = (await (await registry()).create('backend', 'container-cli', { options: {}, logger: silentLogger })) as ContainerCliBackend
    expect(backend).toMatchObject({ name: 'container-cli', capabilities: { isolation: 'container', network: false, snapshots: false } })
    expect(backend.options).toEqual({
      engine: 'docker',
      binary: 'docker',
      network: 'none',
      memory: null,
      cpus: null,
      startConcurrency: 4,
      imageTemplate: CONFIG_DEFAULTS.image.template,
      imageNamespace: CONFIG_DEFAULTS.image.namespace,
    })
    // A caller outside the host gets the same defaults, which the plugin declares in its schema.
    expect(new ContainerCliBackend().options).toEqual(backend.options)
  })

  it('takes podman, a binary path, limits and a network from the config', async () => {
    const options = { engine: 'podman', binary: '/opt/bin/podman', network: 'bridge', memory: '512m', cpus: 0.5, startConcurrency: 2 }
    const backend = (await (await registry()).create('backend', 'container-cli', { options, logger: silentLogger })) as ContainerCliBackend
    expect(backend.options).toMatchObject({ engine: 'podman', binary: '/opt/bin/podman', network: 'bridge', memory: '512m', cpus: 0.5, startConcurrency: 2 })
    expect(backend.cli.binary).toBe('/opt/bin/podman')
    expect(backend.capabilities.network).toBe(true)
    expect(new ContainerCliBackend({ engine: 'podman' }).cli.binary).toBe('podman')
    expect(new ContainerCliBackend({ memory: 64 * 1024 * 1024 }).options.memory).toBe(String(64 * 1024 * 1024))
  })
})

describe('option validation by the registry', () => {
  it('refuses an unknown engine, naming the option and the engines it accepts', async () => {
    const error = await refusal({ engine: 'dockr' })
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toBe('invalid options of backend container-cli')
    expect(error.details).toEqual(['backends.container-cli.engine: must be one of "docker", "podman"'])
    expect(error.hint).toContain('backends.container-cli')
  })

  it('refuses unknown keys with a suggestion, and bad values each on its own line', async () => {
    const error = await refusal({ netwrok: 'none', network: 'overlay', memory: 'lots', cpus: 0, startConcurrency: 0, binary: '' })
    expect(error.details).toEqual([
      'backends.container-cli.netwrok: unknown key "netwrok" (did you mean "network"?)',
      'backends.container-cli.binary: must not be empty',
      'backends.container-cli.network: must be one of "none", "host", "bridge"',
      'backends.container-cli.memory: must be integer or must be a size such as "4g" or "512m", or a number of bytes',
      'backends.container-cli.cpus: must be > 0',
      'backends.container-cli.startConcurrency: must be >= 1',
    ])
  })

  it('refuses a memory limit the engines would refuse', async () => {
    expect((await refusal({ memory: 1024 })).details).toEqual(['backends.container-cli.memory: must be >= 6291456 or must be string'])
    expect((await refusal({ memory: '4 gigs' })).details).toEqual([
      'backends.container-cli.memory: must be integer or must be a size such as "4g" or "512m", or a number of bytes',
    ])
  })
})

describe('image names', () => {
  const task = { repo: 'pallets_jinja_task', taskId: 1621 } as Task

  it('follow the config image template, as the runner and backend docker name them', async () => {
    const backend = (await (await registry()).create('backend', 'container-cli', { options: {}, logger: silentLogger })) as ContainerCliBackend
    expect(backend.imageFor(task)).toBe(imageName(CONFIG_DEFAULTS.image.template, CONFIG_DEFAULTS.image.namespace, task.repo, task.taskId))
    expect(backend.imageFor(task)).toBe('akhatua/cooperbench-pallets-jinja:task1621')
  })

  it('declare imageTemplate and imageNamespace, so the CLI passes the run image settings', async () => {
    const schema = (await registry()).get('backend', 'container-cli').optionsSchema as { properties: Record<string, unknown> }
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['imageTemplate', 'imageNamespace']))
    const backend = new ContainerCliBackend({ imageTemplate: '{namespace}/{repo}:t{taskId}', imageNamespace: 'me' })
    expect(backend.imageFor(task)).toBe('me/pallets_jinja_task:t1621')
  })
})

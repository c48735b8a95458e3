import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CooperbenchError, isCooperbenchError } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import { CONFIG_DEFAULTS } from '@cooperbench/config'
import { describe, expect, it } from 'vitest'
import { CappedOutput, imageName, truncationMarker } from '@cooperbench/backend-kit'
import { createDockerBackend, DockerBackend } from '../src/docker-backend.js'
import { DEFAULT_DOCKER_SOCKET, resolveDockerAddress } from '../src/docker-client.js'
import { DOCKER_DEFAULTS, dockerBackendOptionsSchema, parseMemory, resolveDockerOptions } from '../src/options.js'
import plugin from '../src/register.js'

describe('options', () => {
  it('applies the documented defaults', () => {
    expect(resolveDockerOptions({})).toEqual({
      network: 'bridge',
      cpus: 2,
      memory: 4 * 1024 ** 3,
      pids: 1024,
      maxConcurrentStarts: 4,
      pull: 'auto',
      pullTimeoutSeconds: 20,
      build: true,
      buildArgs: {},
      maxOutputBytes: 10 * 1024 * 1024,
      keepAliveSeconds: 7200,
      // The naming the host gives (FactoryContext.images); the reference's by default.
      imageTemplate: '{namespace}/cooperbench-{slug}:task{taskId}',
      imageNamespace: 'akhatua',
    })
  })

  it('names images as the host says (FactoryContext.images), with the core config defaults otherwise; no image option of its own', () => {
    const task = { repo: 'llama_index_task', taskId: 17244 } as Parameters<DockerBackend['imageFor']>[0]
    expect(new DockerBackend().imageFor(task)).toBe(imageName(CONFIG_DEFAULTS.image.template, CONFIG_DEFAULTS.image.namespace, task.repo, task.taskId))
    const hosted = createDockerBackend({ options: {}, logger: silentLogger, images: { template: '{namespace}/{repo}:t{taskId}-oh', namespace: 'lab' } })
    expect(hosted.imageFor(task)).toBe('lab/llama_index_task:t17244-oh')
    expect(Object.keys(dockerBackendOptionsSchema.properties)).not.toContain('imageTemplate')
  })

  it('states every option in the schema, with its default or what it defaults to in the description', () => {
    const properties = dockerBackendOptionsSchema.properties as Record<string, { default?: unknown; description?: string }>
    for (const [name, property] of Object.entries(properties)) {
      if (!('default' in property)) expect(property.description, name).toMatch(/default/)
    }
  })

  it('reads memory sizes as the Docker CLI does', () => {
    expect(parseMemory('4g')).toBe(4 * 1024 ** 3)
    expect(parseMemory('512m')).toBe(512 * 1024 ** 2)
    expect(parseMemory('1.5GiB')).toBe(1.5 * 1024 ** 3)
    expect(parseMemory('2048k')).toBe(2 * 1024 ** 2)
    expect(parseMemory('100000000')).toBe(100_000_000)
    expect(parseMemory(1_000_000_000)).toBe(1_000_000_000)
    expect(parseMemory('four gigs')).toBeNull()
    expect(parseMemory(-1)).toBeNull()
  })

  it('is refused through the host with CONFIG_INVALID listing every problem, a too small memory size too', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const create = (options: Record<string, unknown>) => Promise.resolve().then(() => registry.create('backend', 'docker', { options, logger: silentLogger }))
    const refusal = (options: Record<string, unknown>) =>
      create(options).then(
        () => expect.unreachable(),
        (error: CooperbenchError) => error,
      )
    const error = await refusal({ cpus: 0, memory: 'lots', pids: 2.5, maxConcurrentStarts: 0, build: 'yes', buildArgs: { A: 1 }, network: '', colour: 1 })
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.details).toEqual([
      'backends.docker.colour: unknown key "colour"',
      'backends.docker.network: must not be empty',
      'backends.docker.cpus: must be > 0',
      'backends.docker.memory: must be integer or must be a number of bytes or a size such as "4g" or "512m"',
      'backends.docker.pids: must be integer',
      'backends.docker.pids: must be >= 16',
      'backends.docker.maxConcurrentStarts: must be >= 1',
      'backends.docker.build: must be boolean',
      'backends.docker.buildArgs.A: must be string',
    ])
    const small = await refusal({ memory: '1m' })
    expect([small.code, small.details]).toEqual(['CONFIG_INVALID', ['"memory" must be at least 6m (Docker refuses less)']])
    const backend = (await create({ memory: '512m', buildArgs: { A: 'b' } })) as DockerBackend
    expect(backend.options).toMatchObject({ ...DOCKER_DEFAULTS, memory: 512 * 1024 ** 2, buildArgs: { A: 'b' } })
  })

  it('reports network capability from the network mode', () => {
    expect(new DockerBackend().capabilities).toEqual({ isolation: 'container', network: true, snapshots: false, sharedFolders: true })
    expect(new DockerBackend({ network: 'none' }).capabilities.network).toBe(false)
  })
})

describe('engine address', () => {
  it('defaults to the system socket', () => {
    expect(resolveDockerAddress(undefined, {})).toMatchObject({
      url: `unix://${DEFAULT_DOCKER_SOCKET}`,
      source: 'default',
      options: { socketPath: DEFAULT_DOCKER_SOCKET },
    })
  })

  it('takes DOCKER_HOST, and the host option over it', () => {
    expect(resolveDockerAddress(undefined, { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toMatchObject({
      url: 'unix:///run/user/1000/docker.sock',
      source: 'DOCKER_HOST',
      options: { socketPath: '/run/user/1000/docker.sock' },
    })
    expect(resolveDockerAddress('tcp://10.0.0.5:2375', { DOCKER_HOST: 'unix:///x.sock' })).toMatchObject({
      url: 'tcp://10.0.0.5:2375',
      source: 'option',
      options: { host: '10.0.0.5', port: '2375', protocol: 'http' },
    })
    expect(resolveDockerAddress(undefined, { DOCKER_HOST: 'build-box' })).toMatchObject({ url: 'tcp://build-box:2375' })
    expect(resolveDockerAddress('ssh://me@build-box', {})).toMatchObject({ options: { protocol: 'ssh', host: 'build-box', username: 'me' } })
  })

  it('uses TLS with the certificates of DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', async () => {
    const certs = await mkdtemp(join(tmpdir(), 'cb-docker-certs-'))
    try {
      for (const name of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(certs, name), `${name} contents`)
      const address = resolveDockerAddress(undefined, { DOCKER_HOST: 'tcp://docker.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs })
      expect(address.url).toBe('https://docker.example:2376')
      expect(address.options).toMatchObject({ protocol: 'https', host: 'docker.example', port: '2376' })
      expect(String(address.options.ca)).toBe('ca.pem contents')
      expect(String(address.options.key)).toBe('key.pem contents')
      let error: unknown
      try {
        resolveDockerAddress(undefined, { DOCKER_HOST: 'tcp://docker.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(certs, 'missing') })
      } catch (e) {
        error = e
      }
      expect(isCooperbenchError(error) && error.code).toBe('BACKEND_UNAVAILABLE')
      expect((error as Error).message).toContain('DOCKER_TLS_VERIFY is set but')
    } finally {
      await rm(certs, { recursive: true, force: true })
    }
  })
})

describe('output cap', () => {
  it('keeps the head, cuts at a character boundary and says how much was dropped', () => {
    const output = new CappedOutput(4)
    output.push(Buffer.from('abcé'))
    output.push(Buffer.from('fgh'))
    expect(output.truncated).toBe(true)
    expect(output.text()).toBe(`abc\n${truncationMarker(5)}\n`)
    expect(truncationMarker(3)).toBe('[... output truncated by cooperbench: 3 bytes omitted ...]')
  })
})

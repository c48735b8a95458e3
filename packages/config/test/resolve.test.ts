import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFIG_DEFAULTS, loadDotEnv, resolveConfig } from '../src/index.js'
import { caught, project } from './project.js'

/** The same settings in every file flavour: model and concurrency from the file, agent too. */
const flavours: Record<string, Record<string, string | object>> = {
  json: { 'cooperbench.config.json': { modelName: 'file/model', concurrency: 4, agent: 'file_agent' } },
  yaml: { 'cooperbench.config.yaml': 'modelName: file/model\nconcurrency: 4\nagent: file_agent\n' },
  rc: { '.cooperbenchrc': '{ "modelName": "file/model", "concurrency": 4, "agent": "file_agent" }' },
  'package.json key': { 'package.json': { name: 'r', cooperbench: { modelName: 'file/model', concurrency: 4, agent: 'file_agent' } } },
  ts: {
    'cooperbench.config.ts': [
      "type Setting = 'coop' | 'solo'",
      "const setting: Setting = 'coop'",
      "export default { setting, modelName: 'file/model', concurrency: 4 as number, agent: 'file_agent' }",
    ].join('\n'),
  },
  mjs: { 'cooperbench.config.mjs': "export default { modelName: 'file/model', concurrency: 4, agent: 'file_agent' }\n" },
}

describe('resolveConfig: precedence defaults < file < env < flags', () => {
  it.each(Object.entries(flavours))('%s config file', async (_flavour, files) => {
    const cwd = project(files)
    const env = { COOPERBENCH_CONCURRENCY: '9', COOPERBENCH_AGENT: 'env_agent' }
    const flags = { agent: 'flag_agent', modelName: undefined, setting: undefined }

    const { config, sources } = await resolveConfig({ cwd, env, flags })

    expect(sources.file).toBe(path.join(cwd, Object.keys(files)[0] ?? ''))
    expect(config.modelName).toBe('file/model') // file only (the flag is undefined: not given)
    expect(config.concurrency).toBe(9) // env over file
    expect(config.agent).toBe('flag_agent') // flag over env over file
    expect(config.evalConcurrency).toBe(CONFIG_DEFAULTS.evalConcurrency) // default
    expect(sources.keys).toMatchObject({ modelName: 'file', concurrency: 'env', agent: 'flags', evalConcurrency: 'default' })
  })

  it('without any file, env or flags gives the documented defaults, paths made absolute', async () => {
    const cwd = project()
    const { config, sources } = await resolveConfig({ cwd, env: {} })
    expect(sources.file).toBeNull()
    expect(config).toEqual({
      ...CONFIG_DEFAULTS,
      datasetDir: path.join(cwd, 'dataset'),
      logDir: path.join(cwd, 'logs'),
    })
  })

  it('a .env variable is overridden by the real environment, and by a flag', async () => {
    const cwd = project({ '.env': 'COOPERBENCH_MODEL=dotenv/model\nCOOPERBENCH_BACKEND=docker\n' })
    const env = loadDotEnv(cwd, { COOPERBENCH_BACKEND: 'modal' })
    const { config } = await resolveConfig({ cwd, env, flags: {} })
    expect(config.modelName).toBe('dotenv/model')
    expect(config.backend).toBe('modal')
    const withFlag = await resolveConfig({ cwd, env, flags: { modelName: 'flag/model' } })
    expect(withFlag.config.modelName).toBe('flag/model')
  })

  it('merges objects key by key and accumulates plugins across layers', async () => {
    const cwd = project({
      'cooperbench.config.json': {
        image: { namespace: 'mirror' },
        agents: { oracle: { a: 1, nested: { x: 1 } } },
        plugins: ['@acme/plugin'],
      },
    })
    const { config } = await resolveConfig({
      cwd,
      env: { COOPERBENCH_PLUGINS: '@acme/plugin,@other/plugin' },
      flags: { agents: { oracle: { nested: { y: 2 } } } },
    })
    expect(config.image).toEqual({ namespace: 'mirror', template: CONFIG_DEFAULTS.image.template })
    expect(config.agents).toEqual({ oracle: { a: 1, nested: { x: 1, y: 2 } } })
    expect(config.plugins).toEqual(['@acme/plugin', '@other/plugin'])
  })

  it('treats undefined inside a flag object as not given', async () => {
    const cwd = project({ 'cooperbench.config.json': { image: { namespace: 'mirror' } } })
    const { config } = await resolveConfig({
      cwd,
      env: {},
      flags: { image: { namespace: undefined, template: '{namespace}/{repo}:{taskId}' } },
    })
    expect(config.image).toEqual({ namespace: 'mirror', template: '{namespace}/{repo}:{taskId}' })
    const untouched = await resolveConfig({ cwd, env: {}, flags: { image: { namespace: undefined, template: undefined } } })
    expect(untouched.config.image.namespace).toBe('mirror')
    expect(untouched.sources.keys.image).toBe('file')
  })

  it('normalises features: de-duplicated, ascending', async () => {
    const { config } = await resolveConfig({ cwd: project(), env: {}, flags: { features: [3, 1, 3] } })
    expect(config.features).toEqual([1, 3])
  })
})

describe('resolveConfig: relative paths', () => {
  it('resolves file paths against the config file directory, env and flag paths against cwd', async () => {
    const root = project({
      'config/cooperbench.config.json': {
        datasetDir: '../data',
        logDir: 'out/logs',
        agentConfig: './agent.yaml',
        plugins: ['./plugins/mine.ts', '@acme/pkg', '/abs/plugin.js'],
      },
    })
    const cwd = path.join(root, 'work')
    const configPath = '../config/cooperbench.config.json'
    const fromFile = await resolveConfig({ cwd, env: {}, configPath })
    expect(fromFile.config.datasetDir).toBe(path.join(root, 'data'))
    expect(fromFile.config.logDir).toBe(path.join(root, 'config', 'out', 'logs'))
    expect(fromFile.config.agentConfig).toBe(path.join(root, 'config', 'agent.yaml'))
    expect(fromFile.config.plugins).toEqual([path.join(root, 'config', 'plugins', 'mine.ts'), '@acme/pkg', '/abs/plugin.js'])

    const overridden = await resolveConfig({
      cwd,
      env: { COOPERBENCH_LOG_DIR: 'env-logs', COOPERBENCH_PLUGINS: './env-plugin.js' },
      flags: { datasetDir: 'flag-data', agentConfig: '~/agent.yaml' },
      configPath,
    })
    expect(overridden.config.datasetDir).toBe(path.join(cwd, 'flag-data'))
    expect(overridden.config.logDir).toBe(path.join(cwd, 'env-logs'))
    expect(overridden.config.agentConfig).toBe(path.join(os.homedir(), 'agent.yaml'))
    expect(overridden.config.plugins).toContain(path.join(cwd, 'env-plugin.js'))
  })
})

describe('resolveConfig: the message bus', () => {
  const resolveBus = async (file: object, env: Record<string, string>, flags: object) => {
    const { config } = await resolveConfig({ cwd: project({ 'cooperbench.config.json': file }), env, flags })
    return { bus: config.bus, redis: config.redisUrl }
  }

  it('is memory by default, redis when a Redis URL is given', async () => {
    expect(await resolveBus({}, {}, {})).toEqual({ bus: 'memory', redis: null })
    expect(await resolveBus({}, {}, { redisUrl: 'redis://h:1' })).toEqual({ bus: 'redis', redis: 'redis://h:1' })
    expect(await resolveBus({}, { COOPERBENCH_REDIS_URL: 'redis://e:2' }, {})).toEqual({ bus: 'redis', redis: 'redis://e:2' })
  })

  it('a bus named at the same or a higher layer than the URL wins; a URL from a higher layer selects redis', async () => {
    expect(await resolveBus({ bus: 'nats', redisUrl: 'redis://f:1' }, {}, {})).toEqual({ bus: 'nats', redis: 'redis://f:1' })
    expect(await resolveBus({ bus: 'memory' }, {}, { redisUrl: 'redis://h:1' })).toEqual({ bus: 'redis', redis: 'redis://h:1' })
    expect(await resolveBus({ redisUrl: 'redis://f:1' }, {}, { bus: 'memory' })).toEqual({ bus: 'memory', redis: 'redis://f:1' })
  })

  it('the redis bus without a URL uses the reference default', async () => {
    expect(await resolveBus({ bus: 'redis' }, {}, {})).toEqual({ bus: 'redis', redis: 'redis://localhost:6379' })
  })

  it("the redis bus's own buses.redis.url is its URL (the default overrode it); --redis and redisUrl still win", async () => {
    expect(await resolveBus({ bus: 'redis', buses: { redis: { url: 'redis://s:3' } } }, {}, {})).toEqual({ bus: 'redis', redis: 'redis://s:3' })
    expect(await resolveBus({ bus: 'redis', buses: { redis: { url: 'redis://s:3' } } }, {}, { redisUrl: 'redis://h:1' })).toEqual({
      bus: 'redis',
      redis: 'redis://h:1',
    })
  })
})

describe('resolveConfig: errors', () => {
  it('an invalid file names the file and lists every problem', async () => {
    const cwd = project({ 'cooperbench.config.yaml': 'concurrency: 0\nimage:\n  template: 5\nmodelNmae: x\n' })
    const error = await caught(() => resolveConfig({ cwd, env: {} }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toBe(`invalid configuration in ${path.join(cwd, 'cooperbench.config.yaml')}`)
    expect(error.details).toEqual([
      'modelNmae: unknown key "modelNmae" (did you mean "modelName"?)',
      'concurrency: must be >= 1',
      'image.template: must be string',
    ])
  })

  it('bad environment values name the variable', async () => {
    const error = await caught(() => resolveConfig({ cwd: project(), env: { COOPERBENCH_CONCURRENCY: 'abc' } }))
    expect(error.details).toEqual(['COOPERBENCH_CONCURRENCY: must be an integer, got "abc"'])
  })

  it('bad flag values say they come from the command line, each named by its flag and value', async () => {
    const error = await caught(() => resolveConfig({ cwd: project(), env: {}, flags: { concurrency: -1, setting: undefined } }))
    expect(error.message).toBe('invalid configuration in command-line flags')
    expect(error.details).toEqual(['-c/--concurrency -1: must be >= 1'])
    // The run's name has no flag in the declaration: the commands spell it -n/--name.
    const name = await caught(() => resolveConfig({ cwd: project(), env: {}, flags: { runName: '../evil' } }))
    expect(name.details).toEqual(['-n/--name "../evil": must be a folder name: no / or \\ or control characters, not . or ..'])
    expect(name.hint).toBe('Fix those flags; `--help` says what each takes.')
  })

  it("bad values of a script's options name the options and their keys", async () => {
    const error = await caught(() => resolveConfig({ cwd: project(), env: {}, flags: { runName: 'a/b' }, flagsSource: 'the options given to run()' }))
    expect(error.message).toBe(
      'invalid configuration in the options given to run(): runName: must be a folder name: no / or \\ or control characters, not . or ..',
    )
    expect(error.hint).toBe('Fix those options (the config keys, camelCased).')
  })
})

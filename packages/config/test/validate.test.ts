import { describe, expect, it } from 'vitest'
import { configProblems, pluginOptionsProblems, suggestKey, validateConfig, validatePluginOptions } from '../src/index.js'
import { createConfigAjv, PLUGIN_AJV_OPTIONS } from '../src/config-ajv.js'
import { caught } from './project.js'

describe('validateConfig', () => {
  it('accepts a complete, valid configuration', () => {
    const config = {
      $schema: './node_modules/@cooperbench/config/dist/schema.json',
      setting: 'solo',
      concurrency: 4,
      redisUrl: 'redis://localhost:6380',
      features: [1, 2],
      taskId: 0,
      image: { namespace: 'ghcr.io/me', template: '{namespace}/{repo}:{taskId}' },
      agents: { oracle: { anything: [1, { goes: true }] } },
      plugins: ['./my-plugin.ts', '@acme/cooperbench-agent'],
    }
    expect(configProblems(config)).toEqual([])
    expect(validateConfig(config, 'cooperbench.config.json')).toBe(config)
  })

  it('reports an unknown key with its path and a did-you-mean suggestion', async () => {
    const error = await caught(() => validateConfig({ modelNmae: 'gpt-4o', image: { namspace: 'me' } }, 'cooperbench.config.yaml'))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toBe('invalid configuration in cooperbench.config.yaml')
    expect(error.details).toEqual([
      'modelNmae: unknown key "modelNmae" (did you mean "modelName"?)',
      'image.namspace: unknown key "namspace" (did you mean "namespace"?)',
    ])
    expect(error.hint).toContain('@cooperbench/config/schema.json')
  })

  it("names the new key of a renamed one (the library options' names, the pair size)", () => {
    expect(configProblems({ model: 'openai/gpt-4o', name: 'r', task: 1, redis: 'redis://h', git: true, messaging: false, teamSize: 3 })).toEqual([
      'model: unknown key "model" (renamed to "modelName")',
      'name: unknown key "name" (renamed to "runName")',
      'task: unknown key "task" (renamed to "taskId")',
      'redis: unknown key "redis" (renamed to "redisUrl")',
      'git: unknown key "git" (renamed to "gitEnabled")',
      'messaging: unknown key "messaging" (renamed to "messagingEnabled")',
      'teamSize: unknown key "teamSize" (renamed to "pairSize")',
    ])
  })

  it('suggests the new key for a typo of a renamed one (`modle`: the model is `modelName`)', () => {
    expect(configProblems({ modle: 'openai/gpt-4o', Model: 'x' })).toEqual([
      'modle: unknown key "modle" (did you mean "modelName"?)',
      'Model: unknown key "Model" (did you mean "modelName"?)',
    ])
  })

  it('suggests the camelCase key for a snake_case one, and nothing for a key far from all', () => {
    expect(configProblems({ eval_concurrency: 3, dataset_dir: 'x', banana: 1 })).toEqual([
      'eval_concurrency: unknown key "eval_concurrency" (did you mean "evalConcurrency"?)',
      'dataset_dir: unknown key "dataset_dir" (did you mean "datasetDir"?)',
      'banana: unknown key "banana"',
    ])
  })

  it('reports several invalid fields together, each with its path', () => {
    const problems = configProblems({
      concurrency: 0,
      evalConcurrency: 2.5,
      setting: '',
      messagingEnabled: 'yes',
      testTimeoutSeconds: 0,
      redisUrl: 'localhost:6379',
      features: [1, 'two'],
      runName: '../elsewhere',
      image: { template: 42 },
      agents: { oracle: 'fast' },
    })
    expect(problems).toEqual([
      'setting: must not be empty',
      'redisUrl: must be a redis://, rediss:// or unix:// URL',
      'concurrency: must be >= 1',
      'evalConcurrency: must be integer',
      'messagingEnabled: must be boolean',
      'features[1]: must be integer',
      'runName: must be a folder name: no / or \\ or control characters, not . or ..',
      'testTimeoutSeconds: must be > 0',
      'image.template: must be string',
      'agents.oracle: must be object',
    ])
  })

  it('refuses a run name with a control character (a newline would split every line naming the run); spaces and dots are names', () => {
    for (const runName of ['two\nlines', 'a\tb', 'bell\u0007', 'del\u007f'])
      expect(configProblems({ runName }), JSON.stringify(runName)).toEqual(['runName: must be a folder name: no / or \\ or control characters, not . or ..'])
    for (const runName of ['my run', 'v1.2', '...', 'coop-msa_v2-gpt-4o-demo']) expect(configProblems({ runName }), runName).toEqual([])
  })

  it('refuses a run name longer than a folder name may be: 255 bytes of UTF-8, not characters', () => {
    const tooLong = (bytes: number) => [`runName: is ${bytes} bytes long; a folder name takes at most 255 bytes (UTF-8): use a shorter name`]
    expect(configProblems({ runName: 'a'.repeat(255) })).toEqual([])
    expect(configProblems({ runName: 'a'.repeat(301) })).toEqual(tooLong(301))
    // 128 characters, two bytes each.
    expect(configProblems({ runName: 'é'.repeat(128) })).toEqual(tooLong(256))
    expect(configProblems({ runName: 'é'.repeat(127) })).toEqual([])
  })

  it('checks the placeholders of the image template', () => {
    expect(configProblems({ image: { template: '{namespace}/{task}' } })).toEqual([
      'image.template: may only use the placeholders {namespace}, {slug}, {repo} and {taskId}',
    ])
  })

  it('names the root when the whole value is not an object', () => {
    expect(configProblems(['a'])).toEqual(['(root): must be object'])
  })
})

describe('validatePluginOptions', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    properties: {
      temperature: { type: 'number', minimum: 0, default: 0 },
      maxTurns: { type: 'integer' },
      tools: { type: 'object', additionalProperties: false, properties: { bash: { type: 'boolean' } } },
    },
  }

  it('returns a copy with the schema defaults filled in, leaving the input alone', () => {
    const options = { maxTurns: 5 }
    expect(validatePluginOptions('agent', 'oracle', schema, options)).toEqual({ maxTurns: 5, temperature: 0 })
    expect(options).toEqual({ maxTurns: 5 })
  })

  it('prefixes every problem with the options place in the config file', async () => {
    const error = await caught(() => validatePluginOptions('agent', 'oracle', schema, { temprature: 1, maxTurns: 'many', tools: { bsh: true } }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toBe('invalid configuration in agents.oracle')
    expect(error.details).toEqual([
      'agents.oracle.temprature: unknown key "temprature" (did you mean "temperature"?)',
      'agents.oracle.maxTurns: must be integer',
      'agents.oracle.tools.bsh: unknown key "bsh" (did you mean "bash"?)',
    ])
  })

  it('uses the section of each kind', () => {
    expect(pluginOptionsProblems('bus', 'redis', schema, { maxTurns: 1.5 })).toEqual(['buses.redis.maxTurns: must be integer'])
    expect(pluginOptionsProblems('backend', 'docker', schema, [])).toEqual(['backends.docker: must be object'])
  })

  it('tolerates keywords ajv does not know in a plugin schema', () => {
    const loose = { type: 'object', properties: { x: { type: 'string', markdownDescription: 'an x' } } }
    expect(pluginOptionsProblems('agent', 'loose', loose, { x: 'y' })).toEqual([])
  })

  it("a schema ajv cannot compile is the plugin's fault (PLUGIN_FAILED), in ajv's own words", async () => {
    const broken = { type: 'object', properties: { x: { type: 'nonsense' }, y: { minimum: 'a' } } }
    const error = await caught(() => validatePluginOptions('agent', 'broken', broken, {}))
    expect(error.code).toBe('PLUGIN_FAILED')
    expect(error.message).toContain('"broken"')
    // What ajv's compile says, checking the schema itself, is what the generated check says.
    const ajvSays = await caught(() => createConfigAjv(PLUGIN_AJV_OPTIONS).compile(structuredClone(broken)))
    expect(error.details).toEqual([ajvSays.message])
    expect(ajvSays.message).toMatch(/^schema is invalid: data\/properties\/x\/type must be equal to one of the allowed values/)
  })

  it('a schema naming a meta-schema ajv does not know is refused as ajv refuses it; draft-07 named or not is checked', async () => {
    const error = await caught(() => validatePluginOptions('agent', 'later', { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }, {}))
    expect(error.code).toBe('PLUGIN_FAILED')
    expect(error.details).toEqual(['no schema with key or ref "https://json-schema.org/draft/2020-12/schema"'])
    const named = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { n: { type: 'integer', default: 2 } } }
    expect(validatePluginOptions('agent', 'named', named, {})).toEqual({ n: 2 })
    expect((await caught(() => validatePluginOptions('agent', 'bad', { ...named, required: 'n' }, {}))).code).toBe('PLUGIN_FAILED')
  })
})

describe('suggestKey', () => {
  it('finds keys within two edits, case-insensitively, preferring the closest', () => {
    expect(suggestKey('modell', ['mode', 'model'])).toBe('model')
    expect(suggestKey('Agent', ['agent', 'agents'])).toBe('agent')
    expect(suggestKey('stepLimt', ['stepLimit', 'costLimit'])).toBe('stepLimit')
    expect(suggestKey('xyz', ['model', 'agent'])).toBeUndefined()
  })
})

import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { flagOfKey, resolveConfig, keySource } from '../src/index.js'
import { project } from './project.js'

describe('keySource: where a value came from, as a hint names it', () => {
  it('names the flag, the variable, the key in the config file, or the default', async () => {
    const cwd = project({ 'cooperbench.config.json': { modelName: 'file/model' } })
    const { sources } = await resolveConfig({ cwd, env: { COOPERBENCH_AGENT: 'env_agent' }, flags: { redisUrl: 'redis://h:6379/0' } })
    const settings = { layers: sources.keys, file: sources.file }
    expect(keySource('redisUrl', settings)).toBe('--redis')
    expect(keySource('agent', settings)).toBe('COOPERBENCH_AGENT (the environment or .env)')
    expect(keySource('modelName', settings)).toBe(`modelName in ${path.join(cwd, 'cooperbench.config.json')}`)
    expect(keySource('concurrency', settings)).toBe('the default concurrency')
  })

  it('names the flags the commands declare themselves (the run name, the filters) as they spell them', async () => {
    const { sources } = await resolveConfig({ cwd: project(), env: {}, flags: { runName: 'r', subset: 'demo', taskId: 7 } })
    const settings = { layers: sources.keys, file: sources.file }
    expect(keySource('runName', settings)).toBe('-n/--name')
    expect(keySource('subset', settings)).toBe('-s/--subset')
    expect(keySource('taskId', settings)).toBe('-t/--task')
    expect([flagOfKey('runName'), flagOfKey('features.1'), flagOfKey('image.template'), flagOfKey('concurrency'), flagOfKey('agents')]).toEqual([
      '-n/--name',
      '-f/--features',
      '--image-template',
      '-c/--concurrency',
      undefined,
    ])
  })

  it("names a script's option by its key, and a config given as a value as such", async () => {
    const cwd = project()
    const { sources } = await resolveConfig({ cwd, env: {}, flags: { redisUrl: 'redis://h:6379/0' }, inlineConfig: { agent: 'oracle' } })
    const settings = { layers: sources.keys, file: sources.file }
    expect(keySource('redisUrl', settings, 'the options given to run()')).toBe('redisUrl in the options given to run()')
    expect(keySource('agent', settings)).toBe('agent in the config given to run()/evaluate()')
  })
})

import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { flagOfKey, resolveConfig, settingSource } from '../../src/config/index.js'
import { project } from './project.js'

describe('settingSource: where a value came from, as a hint names it', () => {
  it('names the flag, the variable, the key in the config file, or the default', async () => {
    const cwd = project({ 'cooperbench.config.json': { modelName: 'file/model' } })
    const { sources } = await resolveConfig({ cwd, env: { COOPERBENCH_AGENT: 'env_agent' }, flags: { redisUrl: 'redis://h:6379/0' } })
    const settings = { layers: sources.keys, file: sources.file }
    expect(settingSource('redisUrl', settings)).toBe('--redis')
    expect(settingSource('agent', settings)).toBe('COOPERBENCH_AGENT (the environment or .env)')
    expect(settingSource('modelName', settings)).toBe(`modelName in ${path.join(cwd, 'cooperbench.config.json')}`)
    expect(settingSource('concurrency', settings)).toBe('the default concurrency')
  })

  it('names the flags the commands declare themselves (the run name, the filters) as they spell them', async () => {
    const { sources } = await resolveConfig({ cwd: project(), env: {}, flags: { runName: 'r', subset: 'demo', taskId: 7 } })
    const settings = { layers: sources.keys, file: sources.file }
    expect(settingSource('runName', settings)).toBe('-n/--name')
    expect(settingSource('subset', settings)).toBe('-s/--subset')
    expect(settingSource('taskId', settings)).toBe('-t/--task')
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
    expect(settingSource('redisUrl', settings, 'the options given to run()')).toBe('redisUrl in the options given to run()')
    expect(settingSource('agent', settings)).toBe('agent in the config given to run()/evaluate()')
  })
})

import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveConfig, settingSource } from '../../src/config/index.js'
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

  it("names a script's option by its key, and a config given as a value as such", async () => {
    const cwd = project()
    const { sources } = await resolveConfig({ cwd, env: {}, flags: { redisUrl: 'redis://h:6379/0' }, inlineConfig: { agent: 'oracle' } })
    const settings = { layers: sources.keys, file: sources.file }
    expect(settingSource('redisUrl', settings, 'the options given to run()')).toBe('redisUrl in the options given to run()')
    expect(settingSource('agent', settings)).toBe('agent in the config given to run()/evaluate()')
  })
})

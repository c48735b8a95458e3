import { describe, expect, it } from 'vitest'
import { configFromEnv, loadDotEnv } from '../src/index.js'
import { caught, project } from './project.js'

describe('configFromEnv', () => {
  it('reads every COOPERBENCH_* variable, typed', () => {
    expect(
      configFromEnv({
        COOPERBENCH_DATASET_DIR: 'data',
        COOPERBENCH_LOG_DIR: '/var/logs',
        COOPERBENCH_BACKEND: 'docker',
        COOPERBENCH_AGENT: 'claude_code',
        COOPERBENCH_MODEL: 'openai/gpt-4o',
        COOPERBENCH_CONCURRENCY: '8',
        COOPERBENCH_EVAL_CONCURRENCY: ' 3 ',
        COOPERBENCH_REDIS_URL: 'redis://cache:6379',
        COOPERBENCH_TEST_TIMEOUT: '90.5',
        COOPERBENCH_PLUGINS: './a.js, @acme/b ,,',
      }),
    ).toEqual({
      datasetDir: 'data',
      logDir: '/var/logs',
      backend: 'docker',
      agent: 'claude_code',
      modelName: 'openai/gpt-4o',
      concurrency: 8,
      evalConcurrency: 3,
      redisUrl: 'redis://cache:6379',
      testTimeoutSeconds: 90.5,
      plugins: ['./a.js', '@acme/b'],
    })
  })

  it('ignores unset and empty variables, and variables that are not ours', () => {
    expect(configFromEnv({ COOPERBENCH_MODEL: '', REDIS_URL: 'redis://x', PATH: '/bin' })).toEqual({})
  })

  it('junk is CONFIG_INVALID naming the variable', async () => {
    const error = await caught(() => configFromEnv({ COOPERBENCH_CONCURRENCY: 'abc' }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toBe('invalid configuration in the environment')
    expect(error.details).toEqual(['COOPERBENCH_CONCURRENCY: must be an integer, got "abc"'])
  })

  it('reports every bad variable at once, range checks included', async () => {
    const error = await caught(() =>
      configFromEnv({
        COOPERBENCH_CONCURRENCY: '0',
        COOPERBENCH_EVAL_CONCURRENCY: '2.5',
        COOPERBENCH_TEST_TIMEOUT: 'soon',
        COOPERBENCH_REDIS_URL: 'localhost:6379',
      }),
    )
    expect(error.details).toEqual([
      'COOPERBENCH_EVAL_CONCURRENCY: must be an integer, got "2.5"',
      'COOPERBENCH_TEST_TIMEOUT: must be a number, got "soon"',
      'COOPERBENCH_REDIS_URL: must be a redis://, rediss:// or unix:// URL',
      'COOPERBENCH_CONCURRENCY: must be >= 1',
    ])
  })
})

describe('loadDotEnv', () => {
  it('adds the variables of .env without overriding the real environment', () => {
    const dir = project({
      '.env': '# keys\nOPENAI_API_KEY=sk-from-file\nCOOPERBENCH_MODEL="openai/gpt-4o"\nCOOPERBENCH_CONCURRENCY=5\n',
    })
    const real = { COOPERBENCH_CONCURRENCY: '7', HOME: '/home/me' }
    const env = loadDotEnv(dir, real)
    expect(env).toEqual({
      OPENAI_API_KEY: 'sk-from-file',
      COOPERBENCH_MODEL: 'openai/gpt-4o',
      COOPERBENCH_CONCURRENCY: '7',
      HOME: '/home/me',
    })
    expect(real).toEqual({ COOPERBENCH_CONCURRENCY: '7', HOME: '/home/me' })
  })

  it('does not touch process.env', () => {
    const dir = project({ '.env': 'COOPERBENCH_TEST_ONLY_VARIABLE=1\n' })
    expect(loadDotEnv(dir).COOPERBENCH_TEST_ONLY_VARIABLE).toBe('1')
    expect(process.env.COOPERBENCH_TEST_ONLY_VARIABLE).toBeUndefined()
  })

  it('without a .env file returns a copy of the environment', () => {
    const dir = project()
    const real = { A: '1' }
    const env = loadDotEnv(dir, real)
    expect(env).toEqual(real)
    expect(env).not.toBe(real)
  })
})

import { describe, expect, it } from 'vitest'
import { redactSecrets } from '../src/index.js'

describe('redactSecrets', () => {
  it('replaces the values of secret-looking keys at any depth, and copies', () => {
    const input = {
      model: 'openai/gpt-4o',
      agents: {
        claude: { apiKey: 'sk-ant-1', OAUTH_TOKEN: 'tok', headers: [{ Authorization: 'Bearer x' }] },
      },
      backends: { gcp: { credentials: { client_email: 'a@b', private_key: '-----BEGIN' }, project: 'p' } },
      password: 'hunter2',
      clientSecret: 's',
    }
    const output = redactSecrets(input)
    expect(output).toEqual({
      model: 'openai/gpt-4o',
      agents: {
        claude: { apiKey: '[redacted]', OAUTH_TOKEN: '[redacted]', headers: [{ Authorization: '[redacted]' }] },
      },
      backends: { gcp: { credentials: '[redacted]', project: 'p' } },
      password: '[redacted]',
      clientSecret: '[redacted]',
    })
    expect(input.agents.claude.apiKey).toBe('sk-ant-1')
    expect(output).not.toBe(input)
  })

  it('keeps numbers, booleans and nulls under such keys: they are settings, not secrets', () => {
    expect(redactSecrets({ maxTokens: 4096, useAuth: true, apiKey: null })).toEqual({
      maxTokens: 4096,
      useAuth: true,
      apiKey: null,
    })
  })

  it("keeps lists of numbers under such keys (capture_token_ids' prompt_token_ids): ids, not secrets; a list of strings still goes", () => {
    expect(redactSecrets({ prompt_token_ids: [1, 2, 3], completion_token_ids: [], apiKeys: ['sk-1'] })).toEqual({
      prompt_token_ids: [1, 2, 3],
      completion_token_ids: [],
      apiKeys: '[redacted]',
    })
  })

  it('removes credentials from URLs anywhere', () => {
    expect(
      redactSecrets({
        redis: 'redis://user:pass@cache:6379/0',
        noUser: 'rediss://:s3cret@cache:6380',
        remote: 'https://ghp_abc123@github.com/org/repo.git',
        plain: 'redis://localhost:6379',
        list: ['see http://u:p@h/x and ftp://a:b@c'],
        email: 'someone@example.com',
      }),
    ).toEqual({
      redis: 'redis://user:[redacted]@cache:6379/0',
      noUser: 'rediss://:[redacted]@cache:6380',
      remote: 'https://[redacted]@github.com/org/repo.git',
      plain: 'redis://localhost:6379',
      list: ['see http://u:[redacted]@h/x and ftp://a:[redacted]@c'],
      email: 'someone@example.com',
    })
  })

  it('leaves the resolved configuration without secrets untouched', () => {
    const config = { datasetDir: '/d', concurrency: 30, autoEval: true, features: [1, 2], redis: null }
    expect(redactSecrets(config)).toEqual(config)
  })
})

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findModalCredentials } from '../src/credentials.js'

describe('Modal credentials, looked up as Modal’s own tools do', () => {
  let dir: string
  let config: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cb-modal-credentials-'))
    config = join(dir, '.modal.toml')
    await writeFile(
      config,
      [
        '[research]',
        'token_id = "ak-research"',
        'token_secret = "as-research"',
        'environment = "lab"',
        '',
        '[personal]',
        'token_id = "ak-personal"',
        'token_secret = "as-personal"',
        'active = true',
        '',
      ].join('\n'),
    )
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('prefers MODAL_TOKEN_ID/MODAL_TOKEN_SECRET, with MODAL_ENVIRONMENT', async () => {
    const found = await findModalCredentials({ MODAL_TOKEN_ID: 'ak-env', MODAL_TOKEN_SECRET: 'as-env', MODAL_ENVIRONMENT: 'dev', MODAL_CONFIG_PATH: config })
    expect(found).toEqual({ tokenId: 'ak-env', tokenSecret: 'as-env', environment: 'dev', from: 'MODAL_TOKEN_ID/MODAL_TOKEN_SECRET' })
  })

  it('reads the active profile of the config file, or the one MODAL_PROFILE names', async () => {
    expect(await findModalCredentials({ MODAL_CONFIG_PATH: config })).toMatchObject({
      tokenId: 'ak-personal',
      environment: undefined,
      from: `${config} profile personal`,
    })
    expect(await findModalCredentials({ MODAL_CONFIG_PATH: config, MODAL_PROFILE: 'research' })).toMatchObject({ tokenId: 'ak-research', environment: 'lab' })
  })

  it('is null without any, and names the profiles when MODAL_PROFILE names a missing one', async () => {
    expect(await findModalCredentials({ MODAL_CONFIG_PATH: join(dir, 'absent.toml') })).toBeNull()
    expect(await findModalCredentials({ MODAL_TOKEN_ID: 'only-the-id', MODAL_CONFIG_PATH: join(dir, 'absent.toml') })).toBeNull()
    await expect(findModalCredentials({ MODAL_CONFIG_PATH: config, MODAL_PROFILE: 'nope' })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringContaining('has no such profile'),
      hint: expect.stringContaining('research, personal'),
    })
  })

  it('says which file it cannot parse', async () => {
    const broken = join(dir, 'broken.toml')
    await writeFile(broken, '[research\ntoken_id = ')
    await expect(findModalCredentials({ MODAL_CONFIG_PATH: broken })).rejects.toMatchObject({ message: expect.stringContaining(broken) })
  })
})

/**
 * `agents list`, `backends list` and `buses list` of the CLI's own plugins, in this process
 * (in-process-cli.ts): what each prints is the command's reading of the registry. The same lists
 * in a real process, of installed and config-file plugins, are e2e/plugins-install.test.ts's and
 * e2e/plugins-config.test.ts's.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { RegisteredRow as Row } from '../../src/plugins.js'
import { cliInProcess } from './in-process-cli.js'

function parseRows(stdout: string): Row[] {
  const rows = JSON.parse(stdout) as Row[]
  expect(Array.isArray(rows), 'a JSON list').toBe(true)
  for (const row of rows) {
    expect(
      Object.keys(row).every((key) => ['name', 'plugin', 'version', 'specificationVersion', 'aliases', 'description'].includes(key)),
      `only the documented keys: ${JSON.stringify(row)}`,
    ).toBe(true)
    expect(row.version, `a version: ${JSON.stringify(row)}`).toMatch(/^\d+\.\d+\.\d+/)
  }
  return rows
}

describe('agents, backends and buses list', () => {
  it('agents list --json names each agent, its plugin, version and contract version', async () => {
    const r = await cliInProcess(['agents', 'list', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const rows = parseRows(r.stdout)
    expect(rows.find((row) => row.name === 'oracle')).toMatchObject({ plugin: '@cooperbench/builtins', specificationVersion: 'agent-v1' })
    expect(rows.find((row) => row.name === 'mini_swe_agent')).toMatchObject({
      plugin: '@cooperbench/agent-mini-swe',
      specificationVersion: 'agent-v1',
      aliases: ['mini_swe_agent_v2'],
    })
    expect(r.stderr, 'no plugin failed to load').toBe('')
  })

  it('backends list --json has local, docker, modal and gcp; buses list --json has memory and redis', async () => {
    // Without any credentials of Modal's or Google's: listing a backend must not need them.
    const noCredentials = join(tmpdir(), `cb-no-credentials-${process.pid}`)
    const env = {
      MODAL_CONFIG_PATH: join(noCredentials, 'no-such.modal.toml'),
      MODAL_TOKEN_ID: '',
      MODAL_TOKEN_SECRET: '',
      MODAL_PROFILE: '',
      HOME: noCredentials,
      GOOGLE_APPLICATION_CREDENTIALS: '',
      CLOUDSDK_CONFIG: join(noCredentials, 'gcloud'),
      GOOGLE_CLOUD_PROJECT: '',
    }
    const backends = await cliInProcess(['backends', 'list', '--json'], { env })
    expect(backends.code, backends.stderr).toBe(0)
    const rows = parseRows(backends.stdout)
    expect(rows.find((row) => row.name === 'local')).toMatchObject({ plugin: '@cooperbench/backend-local', specificationVersion: 'backend-v1' })
    expect(rows.find((row) => row.name === 'docker')).toMatchObject({ plugin: '@cooperbench/backend-docker', specificationVersion: 'backend-v1' })
    // Listed without their credentials (modal.test.ts and gcp.test.ts check a run refused without them).
    expect(rows.find((row) => row.name === 'modal')).toMatchObject({ plugin: '@cooperbench/backend-modal', specificationVersion: 'backend-v1' })
    expect(rows.find((row) => row.name === 'gcp')).toMatchObject({ plugin: '@cooperbench/backend-gcp', specificationVersion: 'backend-v1' })

    const buses = await cliInProcess(['buses', 'list', '--json'])
    expect(buses.code, buses.stderr).toBe(0)
    expect(parseRows(buses.stdout).map((row) => [row.name, row.plugin, row.specificationVersion])).toEqual([
      ['memory', '@cooperbench/builtins', 'bus-v1'],
      ['redis', '@cooperbench/bus-redis', 'bus-v1'],
    ])
  })

  it('prints a table: name (with aliases), plugin, version, contract, description', async () => {
    const r = await cliInProcess(['agents', 'list'])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0], 'the header').toMatch(/^name\s+plugin\s+version\s+contract\s+description$/)
    expect(lines[1], 'the rule under it').toMatch(/^-+( +-+){4}$/)
    expect(r.stdout).toMatch(/^mini_swe_agent \(aka mini_swe_agent_v2\)\s+@cooperbench\/agent-mini-swe\s+\d+\.\d+\.\d+\s+agent-v1\s+A small/m)
    expect(r.stdout).toMatch(/^oracle\s+@cooperbench\/builtins\s+\d+\.\d+\.\d+\s+agent-v1\s+Applies gold patches/m)
    expect(r.stdout).not.toMatch(/failed to load/)
  })

  it('documents the commands in help', async () => {
    const r = await cliInProcess(['backends', 'list', '--help'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('--json')
    expect(r.stdout).toContain('contract version')
  })
})

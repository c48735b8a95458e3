import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SANDBOX_LABELS } from '@cooperbench/spec'
import { createFixtureTask, type FixtureTask } from '@cooperbench/testkit'
import { loadDataset } from '@cooperbench/dataset'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HostFoldersBackend } from '../src/index.js'

/** A HOME this test controls, standing for the user's, with startup files that print and set a variable. */
const userHome = mkdtempSync(join(tmpdir(), 'cooperbench-user-home-'))
const STARTUP_FILES = ['.bashrc', '.bash_profile', '.bash_login', '.profile']
for (const file of STARTUP_FILES) writeFileSync(join(userHome, file), `echo "read ${file}"; export READ_STARTUP=${file}\n`)

const backend = new HostFoldersBackend(join(userHome, 'sandboxes'))
let fixture: FixtureTask | undefined
const saved = { HOME: process.env.HOME, BASH_ENV: process.env.BASH_ENV }

beforeAll(async () => {
  fixture = await createFixtureTask({
    repo: 'startup_task',
    taskId: 1,
    base: { 'a.txt': 'a\n' },
    features: [{ spec: 'x', source: { 'a.txt': 'b\n' }, tests: { 't.txt': 't\n' } }],
  })
  // The harness runs as the user: its HOME holds the startup files, BASH_ENV names one too.
  Object.assign(process.env, { HOME: userHome, BASH_ENV: join(userHome, '.bashrc') })
})
afterAll(async () => {
  Object.assign(process.env, saved)
  await backend.close()
  await fixture?.cleanup()
  rmSync(userHome, { recursive: true, force: true })
})

describe('host-folders: commands run without the user shell startup files', () => {
  it('the planted files are read by a login shell with the user HOME (the plant works)', () => {
    const output = execFileSync('bash', ['-lc', 'echo "$READ_STARTUP"'], { env: { PATH: process.env.PATH, HOME: userHome }, encoding: 'utf8' })
    expect(output).toContain('read .bash_profile')
  })

  it("a sandbox's string and argv commands read none of them: HOME is the sandbox's own", async () => {
    const task = (await loadDataset(fixture!.datasetDir)).tasks[0]!
    const sandbox = await backend.createSandbox({ task, image: 'none', role: 'solo', labels: { [SANDBOX_LABELS.run]: 'startup-files' } })
    try {
      const shell = await sandbox.exec('echo "${READ_STARTUP-none}|$HOME"')
      expect(shell).toMatchObject({ exitCode: 0, stderr: '' })
      expect(shell.stdout).toBe(`none|${sandbox.paths.home}\n`)
      const bash = await sandbox.exec(['bash', '-c', 'echo "${READ_STARTUP-none}"'])
      expect(bash.stdout).toBe('none\n')
      expect(sandbox.paths.home.startsWith(sandbox.paths.root)).toBe(true)
    } finally {
      await sandbox.terminate()
    }
  })
})

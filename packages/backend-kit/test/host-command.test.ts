import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startHostCommand } from '../src/host-command.js'

const root = mkdtempSync(join(tmpdir(), 'cooperbench-host-command-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' }
const options = { cwd: root, env, maxOutputBytes: 64 * 1024 }

describe('startHostCommand', () => {
  it('ends a program that cannot start as a shell would: 127, or 1 for a missing cwd', async () => {
    const missing = await startHostCommand(['cooperbench-no-such-program'], options).outcome
    expect(missing).toMatchObject({ exitCode: 127, stoppedBy: null })
    expect(missing.stderr.text()).toMatch(/^cooperbench-no-such-program: spawn cooperbench-no-such-program ENOENT/)
    const nowhere = await startHostCommand(['true'], { ...options, cwd: join(root, 'missing') }).outcome
    expect(nowhere.exitCode).toBe(1)
  })

  it('with rejectStartFailure, rejects with the spawn error for a missing or non-executable program', async () => {
    const own = { ...options, rejectStartFailure: true }
    await expect(startHostCommand(['cooperbench-no-such-program'], own).outcome).rejects.toMatchObject({ code: 'ENOENT' })
    const notExecutable = join(root, 'not-executable')
    writeFileSync(notExecutable, '#!/bin/sh\n', { mode: 0o644 })
    await expect(startHostCommand([notExecutable], own).outcome).rejects.toMatchObject({ code: 'EACCES' })
    // A program that started and failed is still its exit code.
    expect((await startHostCommand(['sh', '-c', 'exit 3'], own).outcome).exitCode).toBe(3)
  })

  it('writes fd3 and closes it, and returns what the program wrote to fd 4', async () => {
    const script = 'cat <&3 >&4; echo " done" >&4; echo out'
    const outcome = await startHostCommand(['sh', '-c', script], { ...options, fd3: 'options' }).outcome
    expect(outcome).toMatchObject({ exitCode: 0, fd4: 'options done\n' })
    expect(outcome.stdout.text()).toBe('out\n')
    expect((await startHostCommand(['true'], options).outcome).fd4).toBe('')
  })

  it("starts in this process's directory without a cwd, where a missing program is still 127", async () => {
    const noCwd = { env, maxOutputBytes: 4096 }
    expect((await startHostCommand(['pwd'], noCwd).outcome).stdout.text()).toBe(`${process.cwd()}\n`)
    expect((await startHostCommand(['cooperbench-no-such-program'], noCwd).outcome).exitCode).toBe(127)
  })
})

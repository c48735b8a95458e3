import type * as ChildProcess from 'node:child_process'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startHostCommand } from '../src/host-command.js'

/**
 * A program whose exit is reaped before its output is read (libuv reaps every exited child on
 * any SIGCHLD, so a program can end between the poll that saw another child's exit and the poll
 * that would see its own output), and then a loop busy past the pipe grace: node runs timers
 * before it polls the pipes, so the grace fires with the output still unread in the pipe. Played
 * here by holding the pipes unread until the exit was handled, then advancing the (fake) grace
 * timer in the next timers phase.
 */
type PipeHandle = { readStart(): number; readStop(): number }
const held = vi.hoisted(() => ({ on: false, realSetTimeout: globalThis.setTimeout }))
vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof ChildProcess>()
  return {
    ...real,
    spawn: (...args: Parameters<typeof real.spawn>) => {
      const child = real.spawn(...args)
      if (!held.on) return child
      const pipes = [child.stdout, child.stderr].map((stream) => (stream as unknown as { _handle: PipeHandle })._handle)
      for (const pipe of pipes) pipe.readStop()
      // In the timers phase after the one that handled the exit, as a busy loop would be.
      child.once('exit', () =>
        held.realSetTimeout(() => {
          vi.advanceTimersByTime(60_000)
          for (const pipe of pipes) pipe.readStart()
        }, 0),
      )
      return child
    },
  }
})

afterEach(() => {
  held.on = false
  vi.useRealTimers()
})

describe('startHostCommand on a busy loop', () => {
  it('keeps what a program wrote before exiting when the pipe grace fires before its pipes were read', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    held.on = true
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' }
    const outcome = await startHostCommand(['sh', '-c', 'printf 0123456789abcdef; printf oops >&2'], { env, maxOutputBytes: 4096 }).outcome
    expect(outcome).toMatchObject({ exitCode: 0, stoppedBy: null })
    expect(outcome.stdout.text()).toBe('0123456789abcdef')
    expect(outcome.stderr.text()).toBe('oops')
  })
})

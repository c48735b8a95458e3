import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'
import { isProcessAlive } from '../../src/host/process-identity.js'

const stateOf = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.charAt(stat.lastIndexOf(')') + 2)
  } catch {
    return ''
  }
}

const commOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return ''
  }
}

describe('isProcessAlive', () => {
  it('a killed process its parent has not collected (a zombie) is gone, though its pid is still taken', async () => {
    // `sh` starts a sleeper in the background, prints its pid and becomes a `sleep` that never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 600 & echo $!; exec sleep 600'], { stdio: ['ignore', 'pipe', 'ignore'] })
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))))
      const start = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!
      expect(isProcessAlive({ pid, pidStartTime: start, hostname: hostname() })).toBe(true)
      // Kill it only once `sh` has become `sleep`: `sh` itself may reap a child that dies before its
      // `exec` (on a loaded machine it has not got there yet), and then no zombie is ever seen.
      while (commOf(parent.pid!) !== 'sleep') await new Promise((r) => setTimeout(r, 20))
      process.kill(pid, 'SIGKILL')
      while (stateOf(pid) !== 'Z') {
        if (stateOf(pid) === '') throw new Error(`process ${pid} was reaped; no zombie to check`)
        await new Promise((r) => setTimeout(r, 20))
      }
      expect(isProcessAlive({ pid, pidStartTime: start, hostname: hostname() })).toBe(false)
      expect(isProcessAlive({ pid, pidStartTime: null, hostname: hostname() })).toBe(false)
    } finally {
      parent.kill('SIGKILL')
    }
  })
})

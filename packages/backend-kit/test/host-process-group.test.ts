import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { signalProcessGroup } from '../src/host-process-group.js'

/** Real process groups on this machine: a detached bash, its background `sleep`, and a stranger. */
const started: number[] = []
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Gone, as a passing test leaves it.
    }
  }
})

/** Running, not a zombie: an orphan killed here waits for whoever reaps it (pid 1 of a container may be slow). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

async function until(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100 && !condition(); i++) await sleep(20)
  return condition()
}

/** A detached bash that starts `sleep 30` in the background (in its group), prints its pid and, unless `exits`, waits. */
async function leaderWithMember(exits: boolean): Promise<{ leader: ChildProcess; member: number }> {
  const leader = spawn('bash', ['-c', `sleep 30 & echo $!; ${exits ? 'exit 0' : 'wait'}`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] })
  const [line] = (await once(leader.stdout!, 'data')) as [Buffer]
  const member = Number(line.toString().trim())
  started.push(member)
  if (exits) await once(leader, 'exit')
  return { leader, member }
}

describe.runIf(process.platform === 'linux')('signalProcessGroup', () => {
  it('reaches the whole group while its leader runs', async () => {
    const { leader, member } = await leaderWithMember(false)
    const exited = once(leader, 'exit')
    expect(signalProcessGroup(leader)).toBe(true)
    expect(await until(() => !alive(member))).toBe(true)
    expect(await exited).toEqual([null, 'SIGKILL'])
  })

  it('reaches what is left of the group after its leader exited', async () => {
    const { leader, member } = await leaderWithMember(true)
    expect(leader.exitCode).toBe(0)
    expect(alive(member)).toBe(true)
    expect(signalProcessGroup(leader)).toBe(true)
    expect(await until(() => !alive(member))).toBe(true)
  })

  it('leaves alone the group of a process that took an exited leader’s number', async () => {
    // The stranger leads a group of its own, as a new detached process does when it gets a reused pid.
    const stranger = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' })
    started.push(stranger.pid!)
    const exitedLeader = { pid: stranger.pid, exitCode: 0, signalCode: null }
    expect(signalProcessGroup(exitedLeader)).toBe(false)
    await sleep(100)
    expect(alive(stranger.pid!)).toBe(true)
    expect(stranger.exitCode).toBeNull()
  })
})

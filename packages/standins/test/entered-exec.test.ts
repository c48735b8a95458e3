import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { cgroupProcsFiles, containerEntry, entryAlive, type InspectedContainer } from '../src/modal/entered-exec.js'

function inspected(pid: number, config: InspectedContainer['Config'] = {}, running = true): InspectedContainer {
  return { State: { Pid: pid, Running: running }, Config: config }
}

describe("the Modal stand-in's entry into a container", () => {
  it("takes Docker's default PATH and the container's host name, under the container's own env", () => {
    const entry = containerEntry(
      inspected(process.pid, { Env: ['LANG=C.UTF-8', 'PATH=/opt/bin:/usr/bin', 'EMPTY=', 'A=b=c'], Hostname: 'abc123', WorkingDir: '' }),
    )
    expect(entry?.env).toEqual({ PATH: '/opt/bin:/usr/bin', HOSTNAME: 'abc123', LANG: 'C.UTF-8', EMPTY: '', A: 'b=c' })
    expect(entry?.workdir).toBe('/')
    expect(containerEntry(inspected(process.pid))?.env.PATH).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
  })

  it('leaves to Docker a container that is not running or runs as another user than root', () => {
    expect(containerEntry(inspected(process.pid, {}, false))).toBeNull()
    expect(containerEntry(inspected(0))).toBeNull()
    expect(containerEntry(inspected(process.pid, { User: 'nobody' }))).toBeNull()
    expect(containerEntry(inspected(process.pid, { User: '0' }))).not.toBeNull()
  })

  it('enters a process only while it is the one the entry was made for: not once it ended, nor another one under its pid', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' })
    await once(child, 'spawn')
    const entry = containerEntry(inspected(child.pid!))!
    expect(entryAlive(entry)).toBe(true)
    // The same pid, started at another time: what a reused pid looks like.
    expect(entryAlive({ ...entry, startTime: String(Number(entry.startTime) + 1) })).toBe(false)
    child.kill('SIGKILL')
    await once(child, 'exit')
    expect(entryAlive(entry)).toBe(false)
  })

  it('finds the cgroup.procs file of every cgroup a process is in, under this machine’s mounts: each lists the process', () => {
    const files = cgroupProcsFiles(process.pid)
    expect(files.length).toBeGreaterThan(0)
    expect(files.length).toBeLessThanOrEqual(readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n').length)
    for (const file of files) expect(readFileSync(file, 'utf8').split('\n'), file).toContain(String(process.pid))
  })
})

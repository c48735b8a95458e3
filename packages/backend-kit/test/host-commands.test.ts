import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { HostCommands } from '../src/host-commands.js'
import { SandboxPathMap } from '../src/sandbox-path-map.js'

const root = mkdtempSync(join(tmpdir(), 'cooperbench-host-commands-'))
const paths = new SandboxPathMap(join(root, 'sandbox'), [{ hostPath: join(root, 'team.git'), sandboxPath: '/cooperbench/team.git' }])
for (const dir of [paths.repo, paths.patches, join(root, 'team.git')]) mkdirSync(dir, { recursive: true })
const commands = new HostCommands({ sandboxId: 'host-test', paths })
afterAll(async () => {
  await commands.stopAll()
  rmSync(root, { recursive: true, force: true })
})

/** Whether a process whose command line holds `marker` still runs here (zombies aside). */
function running(marker: string): boolean {
  const listing = execFileSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' })
  return listing.split('\n').some((line) => line.includes(marker) && !line.trim().startsWith('Z'))
}

describe('HostCommands', () => {
  it("never reads the user's shell startup files: HOME is the sandbox's own", async () => {
    // The harness's own HOME, as a user's: startup files that would print and set a variable.
    const userHome = join(root, 'user-home')
    mkdirSync(userHome)
    for (const file of ['.bashrc', '.bash_profile', '.profile', '.bash_login', 'bash_env']) {
      writeFileSync(join(userHome, file), `echo "read ${file}"; export READ_STARTUP=${file}\n`)
    }
    const saved = { HOME: process.env.HOME, BASH_ENV: process.env.BASH_ENV }
    Object.assign(process.env, { HOME: userHome, BASH_ENV: join(userHome, 'bash_env') })
    try {
      const result = await commands.exec('echo "$HOME|${READ_STARTUP-none}"')
      expect(result).toMatchObject({ exitCode: 0, stdout: `${paths.home}|none\n`, stderr: '' })
      const argv = await commands.exec(['bash', '-c', 'echo "$HOME|${READ_STARTUP-none}"'])
      expect(argv.stdout).toBe(`${paths.home}|none\n`)
    } finally {
      Object.assign(process.env, saved)
    }
  })

  it('keeps the PATH it was given in the login shell', async () => {
    const result = await commands.exec('echo "$PATH"', { env: { PATH: `/opt/cooperbench-test:${process.env.PATH}` } })
    expect(result.stdout).toBe(`/opt/cooperbench-test:${process.env.PATH}\n`)
  })

  it('runs in the mapped folder of the cwd, the repository by default, and exports where it is', async () => {
    expect((await commands.exec('pwd')).stdout).toBe(`${paths.repo}\n`)
    expect((await commands.exec(['pwd'], { cwd: '/patches' })).stdout).toBe(`${paths.patches}\n`)
    expect((await commands.exec(['pwd'], { cwd: '/cooperbench/team.git' })).stdout).toBe(`${join(root, 'team.git')}\n`)
    expect((await commands.exec(['pwd'], { cwd: '/tmp' })).stdout).toBe('/tmp\n')
    const vars = await commands.exec('echo "$COOPERBENCH_REPO_DIR $COOPERBENCH_PATCHES_DIR"')
    expect(vars.stdout).toBe(`${paths.repo} ${paths.patches}\n`)
    expect(await commands.exec(['pwd'], { cwd: '/workspace/repo/missing' })).toMatchObject({ exitCode: 1 })
  })

  it("passes env, stdin and argv as they are, and a shell's exit codes", async () => {
    const env = { CB_A: `x=y; $(echo no) 'q'` }
    expect((await commands.exec(['printenv', 'CB_A'], { env })).stdout).toBe(`${env.CB_A}\n`)
    expect((await commands.exec('cat', { stdin: 'in\nput' })).stdout).toBe('in\nput')
    expect((await commands.exec(['printf', '%s|', 'a b', '$HOME', '*'])).stdout).toBe('a b|$HOME|*|')
    expect((await commands.exec('cat; echo eof', { timeoutMs: 10_000 })).stdout).toBe('eof\n')
    // Without input, stdin is /dev/null (as in a container's exec), not a socket at end-of-file.
    expect((await commands.exec('readlink /proc/self/fd/0')).stdout).toBe('/dev/null\n')
    expect(await commands.exec('echo out; echo err >&2; exit 3')).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' })
    expect((await commands.exec('cooperbench-no-such-program')).exitCode).toBe(127)
    expect((await commands.exec(['cooperbench-no-such-program'])).exitCode).toBe(127)
    expect(process.env.CB_A).toBeUndefined()
  })

  it('runs a string command over the argument limit from a script it removes', async () => {
    const text = 'x'.repeat(200 * 1024)
    const result = await commands.exec(`# cooperbench-long\nprintf %s '${text}' | wc -c`)
    expect(result).toMatchObject({ exitCode: 0, stdout: `${text.length}\n` })
  })

  it('caps output with a marker', async () => {
    const result = await commands.exec('head -c 100000 /dev/zero | tr "\\0" a', { maxOutputBytes: 1000 })
    expect(result.truncated).toBe(true)
    expect(result.stdout).toMatch(/^a{1000}\n\[\.\.\. output truncated by cooperbench: 99000 bytes omitted \.\.\.\]\n$/)
  })

  it('kills the whole process group on timeout and on abort', async () => {
    const marker = `30.${process.pid}1`
    const timedOut = await commands.exec(`bash -c 'sleep ${marker} & sleep ${marker}'`, { timeoutMs: 300 })
    expect(timedOut).toMatchObject({ exitCode: -1, timedOut: true })
    const aborted = new AbortController()
    const abortMarker = `30.${process.pid}2`
    const pending = commands.exec(`bash -c 'sleep ${abortMarker} & sleep ${abortMarker}'`, { signal: aborted.signal })
    while (!running(abortMarker)) await sleep(20)
    aborted.abort()
    expect(await pending).toMatchObject({ exitCode: -1, timedOut: true })
    for (const gone of [marker, abortMarker]) {
      while (running(gone)) await sleep(20)
    }
    expect(await commands.exec('true', { signal: AbortSignal.abort() })).toMatchObject({ exitCode: -1, timedOut: true })
  })

  it('stopAll kills running commands (exit -1, not timed out) and refuses later ones', async () => {
    const own = new HostCommands({ sandboxId: 'host-stop', paths })
    const marker = `30.${process.pid}3`
    const pending = own.exec(`sleep ${marker} & sleep ${marker}`)
    while (!running(marker)) await sleep(20)
    await own.stopAll()
    expect(await pending).toMatchObject({ exitCode: -1, timedOut: false })
    while (running(marker)) await sleep(20)
    await expect(own.exec('true')).rejects.toThrow(/terminated/)
  })
})

describe('SandboxPathMap', () => {
  it('maps the sandbox paths to host folders, the most specific first, and leaves the rest', () => {
    const map = new SandboxPathMap('/srv/box', [{ hostPath: '/srv/remote.git', sandboxPath: '/patches/remote.git' }])
    expect(map.toHost('/workspace/repo')).toBe('/srv/box/repo')
    expect(map.toHost('src/a.py')).toBe('/srv/box/repo/src/a.py')
    expect(map.toHost('/workspace/repo/../other')).toBe('/workspace/other')
    expect(map.toHost('/workspace/repository')).toBe('/workspace/repository')
    expect(map.toHost('/patches/one.patch')).toBe('/srv/box/patches/one.patch')
    expect(map.toHost('/patches/remote.git/HEAD')).toBe('/srv/remote.git/HEAD')
    expect(map.toHost('/tmp/x')).toBe('/tmp/x')
    expect(map.variables).toEqual({ COOPERBENCH_REPO_DIR: '/srv/box/repo', COOPERBENCH_PATCHES_DIR: '/srv/box/patches' })
  })
})

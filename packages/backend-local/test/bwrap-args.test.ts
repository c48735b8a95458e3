import { existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { commandInvocation, hostRootArgs, isSharedWithSandbox, sandboxArgs } from '../src/bwrap-args.js'

/** Pairs of (option, destination) for the mount options in `args`. */
function mounts(args: string[]): Map<string, string> {
  const found = new Map<string, string>()
  for (let i = 0; i < args.length; i++) {
    const option = args[i]!
    if (option === '--ro-bind' || option === '--ro-bind-try' || option === '--symlink') {
      found.set(args[i + 2]!, option === '--symlink' ? `symlink ${args[i + 1]}` : option.slice(2))
      i += 2
    } else if (option === '--dir' || option === '--tmpfs' || option === '--remount-ro') {
      found.set(args[i + 1]!, option.slice(2))
      i += 1
    }
  }
  return found
}

describe('hostRootArgs', () => {
  // `-try`: an entry deleted between the listing and a sandbox's start (another run's temp folder
  // in a shared directory) is skipped instead of failing the start.
  it('binds each top-level directory read-only (skipped if it vanished) and recreates top-level symlinks', () => {
    const result = mounts(hostRootArgs({ mountPoints: [], hidden: [] }).args)
    expect(result.get('/usr')).toBe('ro-bind-try')
    expect(result.get('/etc')).toBe('ro-bind-try')
    for (const name of readdirSync('/')) {
      const path = `/${name}`
      if (lstatSync(path).isSymbolicLink()) expect(result.get(path)).toBe(`symlink ${readlinkSync(path)}`)
    }
    for (const path of ['/tmp', '/proc', '/dev', '/sys', '/run']) expect(result.has(path), path).toBe(false)
  })

  it("covers container engines' state with an empty tmpfs, made read-only at the end", () => {
    const root = hostRootArgs({ mountPoints: [], hidden: [] })
    const result = mounts(root.args)
    expect(result.get('/var')).toBe('ro-bind-try')
    const engines = ['/var/lib/docker', '/var/lib/containerd'].filter((path) => existsSync(path))
    for (const path of engines) expect(result.get(path), path).toBe('tmpfs')
    expect(root.tmpfs).toEqual(engines)
    expect(mounts(sandboxArgs(root, { repo: '/r', patches: '/p', tmp: '/t', runner: null })).get('/var/lib/docker')).toBe(
      engines.length > 0 ? 'remount-ro' : undefined,
    )
  })

  it('rebuilds only the directory above a mount point, on a tmpfs over the bound one, from its entries', () => {
    const root = hostRootArgs({ mountPoints: ['/usr/local/bin/runner.sh'], hidden: [] })
    const result = mounts(root.args)
    expect(result.get('/usr')).toBe('ro-bind-try')
    expect(result.get('/usr/local/bin')).toBe('tmpfs')
    expect(root.tmpfs).toContain('/usr/local/bin')
    for (const name of readdirSync('/usr/local/bin')) if (name !== 'runner.sh') expect(result.has(`/usr/local/bin/${name}`), name).toBe(true)
    expect(result.has('/usr/local/bin/runner.sh')).toBe(false)
    expect(result.has('/usr/bin')).toBe(false)
  })

  it('leaves hidden paths out and keeps their siblings', () => {
    const result = mounts(hostRootArgs({ mountPoints: [], hidden: ['/usr/share/doc'] }).args)
    expect(result.get('/usr/share')).toBe('tmpfs')
    expect(result.has('/usr/share/doc')).toBe(false)
    expect(result.get('/usr/share/man')).toBe(existsSync('/usr/share/man') ? 'ro-bind-try' : undefined)
    expect(isSharedWithSandbox('/usr/share/doc/x', ['/usr/share/doc'])).toBe(false)
    expect(isSharedWithSandbox('/usr/share/docs', ['/usr/share/doc'])).toBe(true)
    expect(isSharedWithSandbox('/tmp/bin', [])).toBe(false)
    expect(isSharedWithSandbox('/var/lib/docker/overlay2', [])).toBe(false)
  })

  it('makes the directories above a missing hidden path part of the rebuilt one, so it stays out if it appears later', () => {
    const result = mounts(hostRootArgs({ mountPoints: [], hidden: ['/usr/share/cb-missing/deeper'] }).args)
    expect(result.get('/usr/share')).toBe('tmpfs')
    expect(result.has('/usr/share/cb-missing')).toBe(false)
  })
})

describe('commandInvocation', () => {
  it('passes the options through fd 3: its status to fd 4, clean environment, each variable, and the argv on the command line', () => {
    const invocation = commandInvocation(['--unshare-all'], { cwd: '/workspace/repo', env: { A: '1', B: '--x' }, argv: ['bash', '-lc', 'echo --hi'] })
    expect(invocation.argv).toEqual(['--args', '3', '--', 'bash', '-lc', 'echo --hi'])
    expect(invocation.fd3.split('\0')).toEqual([
      '--unshare-all',
      '--json-status-fd',
      '4',
      '--chdir',
      '/workspace/repo',
      '--clearenv',
      '--setenv',
      'A',
      '1',
      '--setenv',
      'B',
      '--x',
      '',
    ])
  })

  it('refuses a NUL that would smuggle in more bwrap options', () => {
    const smuggle = { cwd: '/', env: { A: '1\0--bind\0/\0/' }, argv: ['true'] }
    expect(() => commandInvocation([], smuggle)).toThrow(/NUL/)
    expect(() => commandInvocation([], { cwd: '/', env: { 'A=B': '1' }, argv: ['true'] })).toThrow(/variable name/)
  })
})

import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CooperbenchError, SANDBOX_LABELS, isCooperbenchError } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { PluginRegistry, applyPlugin } from '@cooperbench/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LocalBackend } from '../src/local-backend.js'
import plugin from '../src/register.js'
import { WORKSPACE_RECORD_FILE } from '../src/workspace.js'
import { bwrapPath, bwrapSkipReason, makeTaskFixture, specFor, type TaskFixture } from './fixture.js'

async function rejection(promise: Promise<unknown>): Promise<CooperbenchError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  if (!isCooperbenchError(error)) throw new Error(`expected a CooperbenchError, got ${String(error)}`)
  return error
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  return spawnSync('true').pid!
}

let fixture: TaskFixture
const roots: string[] = []
async function newRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cb-local-root-'))
  roots.push(root)
  return root
}

beforeAll(async () => {
  fixture = await makeTaskFixture()
})
afterAll(async () => {
  await fixture.cleanup()
  for (const root of roots) await rm(root, { recursive: true, force: true })
})

describe('supportsTask', () => {
  const backend = new LocalBackend()

  it('accepts a task whose manifest lists tools the host has', () => {
    expect(backend.supportsTask(fixture.task)).toEqual({ ok: true })
  })

  it('refuses a task without cooperbench.json', () => {
    const task = { ...fixture.task, repo: 'pallets_jinja_task', taskId: 1621, manifest: null }
    expect(backend.supportsTask(task)).toEqual({
      ok: false,
      reason: 'task pallets_jinja_task/1621 does not declare local support (no cooperbench.json)',
      hint: 'run it with --backend docker',
    })
    expect(backend.supportsTask({ ...fixture.task, manifest: {} })).toMatchObject({ ok: false, reason: expect.stringContaining('no local.hostTools') })
  })

  it('refuses a task that needs a tool the host lacks', () => {
    const task = { ...fixture.task, manifest: { local: { hostTools: ['git', 'definitely-not-a-tool'] } } }
    expect(backend.supportsTask(task)).toEqual({
      ok: false,
      reason: 'task fixture_task/1 needs definitely-not-a-tool, which is not on PATH',
      hint: 'install definitely-not-a-tool (or add its directory to PATH), or run it with --backend docker',
    })
  })

  it('refuses a task without a bundle or base commit', () => {
    const noBundle = { ...fixture.task, source: { url: 'https://example.com/x.git', bundlePath: null, baseCommit: 'a'.repeat(40) } }
    expect(backend.supportsTask(noBundle)).toMatchObject({ ok: false, reason: 'task fixture_task/1 ships no repo.bundle with a base commit' })
    const gone = { ...fixture.task, source: { ...fixture.task.source, bundlePath: '/nonexistent/repo.bundle' } }
    expect(backend.supportsTask(gone)).toMatchObject({ ok: false, reason: expect.stringContaining('does not exist') })
  })

  it('does not count tools in directories the sandbox does not share', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-local-tools-'))
    try {
      await writeFile(join(dir, 'only-in-tmp'), '#!/bin/sh\n', { mode: 0o755 })
      const local = new LocalBackend({ searchPath: `${dir}:${process.env.PATH}` })
      const task = { ...fixture.task, manifest: { local: { hostTools: ['only-in-tmp'] } } }
      expect(local.supportsTask(task)).toMatchObject({ ok: false })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('preflight', () => {
  it('names bubblewrap and how to install it when bwrap is not on PATH', async () => {
    const error = await rejection(new LocalBackend({ root: await newRoot(), searchPath: '/nonexistent' }).preflight())
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toBe('bubblewrap (bwrap) is not installed')
    expect(error.hint).toContain('sudo apt-get install bubblewrap')
    expect(error.hint).toContain('sudo dnf install bubblewrap')
    expect(error.hint).toContain('or use --backend docker')
  })

  it('reports the same for a configured bwrap path that does not exist', async () => {
    const error = await rejection(new LocalBackend({ root: await newRoot(), bwrapPath: '/nonexistent/bwrap' }).preflight())
    expect(error.message).toBe('bubblewrap (bwrap) is not installed')
  })

  /** The preflight's error with a stand-in bwrap running `script`; its workspace root is `<root>/ws`. */
  async function preflightWithBwrap(script: string): Promise<{ root: string; error: CooperbenchError }> {
    const root = await newRoot()
    const fake = join(root, 'fake-bwrap')
    await writeFile(fake, `#!/bin/sh\n${script}\n`, { mode: 0o755 })
    return { root, error: await rejection(new LocalBackend({ root: join(root, 'ws'), bwrapPath: fake }).preflight()) }
  }

  it('explains a bwrap that cannot create namespaces, with its stderr', async () => {
    const { root, error } = await preflightWithBwrap('echo "bwrap: setting up uid map: Permission denied" >&2\nexit 1')
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toContain('user namespaces')
    expect(error.details).toEqual(['bwrap: setting up uid map: Permission denied'])
    expect(error.hint).toContain('kernel.unprivileged_userns_clone')
    expect(error.hint).toContain('--backend docker')
    // The probe workspace is cleaned up.
    expect(await readdir(join(root, 'ws'))).toEqual([])
  })

  it('refuses a bwrap that runs commands but reports no exit status on --json-status-fd (before 0.4)', async () => {
    const { error } = await preflightWithBwrap('exit 0')
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toContain('did not report its exit status on --json-status-fd')
    expect(error.hint).toContain('bubblewrap 0.4 or later')
  })

  it('builds its probe under a name that reap removes once this process is dead (a kill -9 mid-preflight)', async () => {
    const root = await newRoot()
    const fake = join(root, 'fake-bwrap')
    // bwrap reads its arguments, NUL-separated, from fd 3 (`--args 3`).
    await writeFile(fake, `#!/bin/sh\ntr '\\0' ' ' <&3 > ${join(root, 'args')}\nexit 1\n`, { mode: 0o755 })
    const ws = join(root, 'ws')
    await rejection(new LocalBackend({ root: ws, bwrapPath: fake }).preflight())
    const probeMount = /--bind (\S+)\/repo /.exec(readFileSync(join(root, 'args'), 'utf8'))?.[1]
    expect(probeMount).toMatch(new RegExp(`^${ws}/\\.creating-${process.pid}-preflight-\\w+$`))
    expect(await readdir(ws)).toEqual([])
  })

  it.skipIf(!bwrapPath)('passes with the real bwrap', async () => {
    await new LocalBackend({ root: await newRoot() }).preflight()
  })
})

describe.skipIf(!bwrapPath)(`sandboxes (${bwrapPath ? 'bwrap found' : bwrapSkipReason})`, () => {
  const backends: LocalBackend[] = []
  afterEach(async () => {
    for (const backend of backends.splice(0)) await backend.close()
  })
  async function newBackend(settings: ConstructorParameters<typeof LocalBackend>[0] = {}): Promise<LocalBackend> {
    const backend = new LocalBackend({ root: await newRoot(), ...settings })
    backends.push(backend)
    return backend
  }

  it('creates sandboxes of one task concurrently from a single cached clone', async () => {
    const backend = await newBackend()
    const sandboxes = await Promise.all([1, 2, 3, 4].map((n) => backend.createSandbox(specFor(fixture.task, `agent${n}`))))
    expect(new Set(sandboxes.map((s) => s.id)).size).toBe(4)
    for (const sandbox of sandboxes) expect((await sandbox.exec(['git', 'rev-parse', 'HEAD'])).stdout.trim()).toBe(fixture.baseCommit)
    const cache = await readdir(join(backend.root, '.cache'))
    expect(cache).toHaveLength(1)
    expect(cache[0]).toMatch(/^fixture_task-1-[0-9a-f]{16}\.git$/)
    // A second backend (another process, in effect) reuses the mirror.
    const again = await newBackend({ root: backend.root })
    await (await again.createSandbox(specFor(fixture.task))).terminate()
    expect(await readdir(join(backend.root, '.cache'))).toEqual(cache)
  })

  it('refuses an unsupported task with TASK_UNSUPPORTED before touching the disk', async () => {
    const backend = await newBackend({ root: join(await newRoot(), 'ws') })
    const error = await rejection(backend.createSandbox(specFor({ ...fixture.task, manifest: null })))
    expect(error.code).toBe('TASK_UNSUPPORTED')
    expect(error.hint).toBe('run it with --backend docker')
    expect(existsSync(backend.root)).toBe(false)
  })

  it('fails clearly when the bundle lacks the base commit, leaving no workspace behind', async () => {
    const backend = await newBackend()
    const task = { ...fixture.task, source: { ...fixture.task.source, baseCommit: 'f'.repeat(40) } }
    const error = await rejection(backend.createSandbox(specFor(task)))
    expect(error.code).toBe('SANDBOX_FAILED')
    expect(error.message).toContain('does not contain the base commit')
    expect((await readdir(backend.root)).filter((name) => !name.startsWith('.'))).toEqual([])
  })

  it('stops creating a sandbox when the signal aborts', async () => {
    const backend = await newBackend()
    await expect(backend.createSandbox(specFor(fixture.task), AbortSignal.abort())).rejects.toThrow()
    expect((await readdir(backend.root)).filter((name) => !name.startsWith('.'))).toEqual([])
  })

  it('hides configured host paths', async () => {
    const backend = await newBackend({ hiddenPaths: ['/usr/share/doc'] })
    const sandbox = await backend.createSandbox(specFor(fixture.task))
    expect((await sandbox.exec(['test', '-e', '/usr/share/doc'])).exitCode).toBe(1)
    expect((await sandbox.exec(['test', '-d', '/usr/share'])).exitCode).toBe(0)
  })

  // /tmp is never shared, so hiding paths below it proves nothing: use a shared directory.
  const sharedTemp = ['/var/tmp'].find((dir) => spawnSync('test', ['-w', dir]).status === 0)
  it.skipIf(!sharedTemp)('hides a workspace root and a dataset outside /tmp, and nothing beside them', async () => {
    const parent = await mkdtemp(join(sharedTemp!, 'cb-local-shared-'))
    roots.push(parent)
    const outside = await makeTaskFixture({ parent })
    await writeFile(join(parent, 'neighbour.txt'), 'visible')
    const backend = await newBackend({ root: join(parent, 'root') })
    const sandbox = await backend.createSandbox(specFor(outside.task))
    const visible = async (path: string) => (await sandbox.exec(['test', '-e', path])).exitCode === 0
    expect(await visible(join(parent, 'neighbour.txt'))).toBe(true)
    expect(await visible(backend.root)).toBe(false)
    expect(await visible(sandbox.workspaceDir)).toBe(false)
    expect(await visible(outside.task.dir)).toBe(false)
    expect(await visible(join(outside.dir, 'fixture_task'))).toBe(false)
    expect(await visible(join(outside.dir, 'source'))).toBe(true)
    expect((await sandbox.exec('bash /usr/local/bin/runner.sh')).stdout).toBe('runner ok: \n')
  })

  it('writes a record of each workspace, which the sandbox cannot see', async () => {
    const backend = await newBackend()
    const sandbox = await backend.createSandbox(specFor(fixture.task, 'agent1', { runName: 'r1', pair: 'f1_f2' }))
    const record = JSON.parse(spawnSync('cat', [join(sandbox.workspaceDir, WORKSPACE_RECORD_FILE)], { encoding: 'utf8' }).stdout)
    expect(record).toMatchObject({ id: sandbox.id, role: 'agent1', labels: { runName: 'r1', pair: 'f1_f2' }, pid: process.pid })
    expect(sandbox.id).toMatch(/^agent1-[0-9a-f]{8}$/)
  })

  it('reaps leftovers of dead processes by run name, sparing live sandboxes unless asked', async () => {
    const backend = await newBackend()
    const live = await backend.createSandbox(specFor(fixture.task, 'agent1', { [SANDBOX_LABELS.run]: 'r1' }))
    const other = await backend.createSandbox(specFor(fixture.task, 'agent1', { [SANDBOX_LABELS.run]: 'r2' }))
    const leftover = async (id: string, runName: string, pid: number) => {
      const dir = join(backend.root, id)
      await mkdir(join(dir, 'tmp'), { recursive: true })
      const record = {
        id,
        role: 'eval',
        labels: { [SANDBOX_LABELS.run]: runName },
        task: { repo: 'x', taskId: 1 },
        pid,
        pidStartTime: null,
        hostname: '',
        createdAt: '',
      }
      await writeFile(join(dir, WORKSPACE_RECORD_FILE), JSON.stringify(record))
      return dir
    }
    const dead1 = await leftover('eval-dead0001', 'r1', deadPid())
    const dead2 = await leftover('eval-dead0002', 'r2', deadPid())
    const alive = await leftover('eval-alive001', 'r1', process.ppid)

    const listed = await backend.listSandboxes({ runName: 'r1' })
    expect(listed.map((s) => [s.id, s.state]).sort()).toEqual(
      [
        [live.id, 'running'],
        ['eval-alive001', 'running'],
        ['eval-dead0001', 'orphaned'],
      ].sort(),
    )

    expect(await backend.reap({ runName: 'r1' })).toBe(1)
    expect([existsSync(dead1), existsSync(dead2), existsSync(alive), existsSync(live.workspaceDir)]).toEqual([false, true, true, true])

    expect(await backend.reap({})).toBe(1)
    expect(existsSync(dead2)).toBe(false)

    expect(await backend.reap({ runName: 'r1', includeLive: true })).toBe(2)
    expect([existsSync(alive), existsSync(live.workspaceDir), existsSync(other.workspaceDir)]).toEqual([false, false, true])
    await expect(live.exec('true')).rejects.toThrow(/terminated/)
    expect((await other.exec('true')).exitCode).toBe(0)
  })

  it.skipIf(process.getuid?.() !== 0)("never lists or removes another user's workspaces in a shared root, even when their creator looks dead", async () => {
    const backend = await newBackend()
    const leftover = async (name: string) => {
      const dir = join(backend.root, name)
      await mkdir(join(dir, 'tmp'), { recursive: true })
      const record = {
        id: name,
        role: 'eval',
        labels: { [SANDBOX_LABELS.run]: 'r1' },
        task: { repo: 'x', taskId: 1 },
        pid: deadPid(),
        pidStartTime: null,
        hostname: '',
        createdAt: '',
      }
      await writeFile(join(dir, WORKSPACE_RECORD_FILE), JSON.stringify(record))
      return dir
    }
    const mine = await leftover('eval-mine0001')
    // Another user's run: its pid is not ours to judge (nor is its staging folder).
    const theirs = await leftover('eval-them0001')
    const theirStaging = join(backend.root, `.creating-${deadPid()}-eval-them0002`)
    await mkdir(theirStaging)
    for (const path of [theirs, join(theirs, 'tmp'), join(theirs, WORKSPACE_RECORD_FILE), theirStaging]) await chown(path, 65534, 65534)

    expect((await backend.listSandboxes()).map((s) => s.id)).toEqual(['eval-mine0001'])
    expect(await backend.reap({ includeLive: true })).toBe(1)
    expect([existsSync(mine), existsSync(theirs), existsSync(theirStaging)]).toEqual([false, true, true])
  })

  it('reaps workspaces whose creation or removal a dead process left half-done, never its own in progress', async () => {
    const backend = await newBackend()
    const halfBuilt = join(backend.root, `.creating-${deadPid()}-eval-aaaa0001`)
    const halfRemoved = join(backend.root, `.removing-${deadPid()}-eval-aaaa0002`)
    const halfProbed = join(backend.root, `.creating-${deadPid()}-preflight-Ab12Cd`)
    const ownRemoval = join(backend.root, `.removing-${process.pid}-eval-aaaa0003`)
    for (const dir of [halfBuilt, halfRemoved, halfProbed, ownRemoval]) await mkdir(join(dir, 'repo', 'src'), { recursive: true })
    expect(await backend.reap({})).toBe(3)
    expect([halfBuilt, halfRemoved, halfProbed, ownRemoval].map((dir) => existsSync(dir))).toEqual([false, false, false, true])
    // A terminated sandbox's workspace goes through the hidden name and is gone, record and all.
    const sandbox = await backend.createSandbox(specFor(fixture.task))
    await sandbox.terminate()
    expect(existsSync(sandbox.workspaceDir)).toBe(false)
    expect((await readdir(backend.root)).filter((name) => name.includes(sandbox.id))).toEqual([])
  })

  it('terminates every sandbox on close and refuses new ones', async () => {
    const backend = await newBackend()
    const sandbox = await backend.createSandbox(specFor(fixture.task))
    const running = sandbox.exec('sleep 100')
    await new Promise((resolve) => setTimeout(resolve, 200))
    await backend.close()
    expect((await running).exitCode).toBe(-1)
    expect(existsSync(sandbox.workspaceDir)).toBe(false)
    await expect(backend.createSandbox(specFor(fixture.task))).rejects.toThrow(/closed/)
  })

  // A git whose `repack` (the mirror's history cleaning) waits: so close() comes while the creation is
  // in flight, as a Ctrl+C early in a run does. The wrapper must be where sandboxes see the host (not /tmp).
  it.skipIf(!sharedTemp)('on close in the middle of a creation, returns only once its processes, half-made mirror and workspace are gone', async () => {
    const tools = await mkdtemp(join(sharedTemp!, 'cb-slow-git-'))
    roots.push(tools)
    const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim()
    const cleaning = join(tools, 'cleaning')
    const wrapper = `#!/bin/sh\ncase " $* " in *" repack "*) : > '${cleaning}'; sleep 100.0431 ;; esac\nexec '${realGit}' "$@"\n`
    await writeFile(join(tools, 'git'), wrapper, { mode: 0o755 })
    const backend = await newBackend({ searchPath: `${tools}:${process.env.PATH}` })
    const creation = backend.createSandbox(specFor(fixture.task)).then(
      () => 'created',
      (error: Error) => error.message,
    )
    for (let waited = 0; !existsSync(cleaning); waited += 10) {
      if (waited > 60_000) throw new Error(`the mirror's cleaning did not start: ${await creation}`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await backend.close()
    const left = processesMentioning(backend.root).concat(processesMentioning('100.0431'))
    expect(left, left.join('\n')).toEqual([])
    expect(await readdir(backend.root)).toEqual(['.cache'])
    expect(await readdir(join(backend.root, '.cache'))).toEqual([])
    expect(await creation).toMatch(/closed/)
  })
})

/** Live processes (zombies excluded) whose command line mentions `needle`, as `<pid> <command line>`. */
function processesMentioning(needle: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      if ('ZX'.includes(stat.charAt(stat.lastIndexOf(')') + 2))) continue
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
      if (cmdline.includes(needle)) found.push(`${pid} ${cmdline}`)
    } catch {
      // ended while we looked
    }
  }
  return found
}

describe('registration', () => {
  it('registers backend "local" with its options schema and creates it from config options', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const entry = registry.get('backend', 'local')
    expect(entry.plugin).toEqual({ name: '@cooperbench/backend-local', version: expect.stringMatching(/^\d+\.\d+\.\d+/), coreRange: '^0.1.0' })
    expect(entry.optionsSchema).toMatchObject({ type: 'object', properties: { root: { type: 'string' }, maxOutputBytes: { type: 'integer' } } })
    const root = await newRoot()
    const backend = await registry.create('backend', 'local', { options: { root, maxOutputBytes: 4096 }, logger: silentLogger })
    expect(backend).toMatchObject({
      name: 'local',
      specificationVersion: 'backend-v1',
      capabilities: { isolation: 'process', network: false, snapshots: false },
    })
    expect((backend as LocalBackend).root).toBe(root)
  })

  it('rejects invalid options with CONFIG_INVALID', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const error = await rejection(
      Promise.resolve().then(() => registry.create('backend', 'local', { options: { root: 3, colour: 'red' }, logger: silentLogger })),
    )
    expect(error.code).toBe('CONFIG_INVALID')
    // The registry checks options against the plugin's schema, naming each key's config path.
    expect(error.details).toEqual(['backends.local.colour: unknown key "colour"', 'backends.local.root: must be string'])
  })
})

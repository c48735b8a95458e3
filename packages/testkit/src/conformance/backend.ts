import { randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Backend, SANDBOX_LABELS, SANDBOX_REPO_DIR, type Sandbox, type SandboxSpec, type Task } from '@cooperbench/core'
import { afterAll, beforeAll, describe, it } from 'vitest'
import {
  type CheckOptions,
  checkAbortSignal,
  checkAlreadyAbortedSignal,
  checkArgvNotReparsed,
  checkBinaryRoundTrip,
  checkExposedPort,
  checkCwdOption,
  checkDefaultCwd,
  checkEmptyFileRoundTrip,
  checkWriteFiles,
  checkEnvOption,
  checkExitCodes,
  checkFinishesBeforeTimeout,
  checkLongCommand,
  checkMappedDirectories,
  checkNoLeftovers,
  checkOutputCap,
  checkReadFileWrittenByExec,
  checkReadMissingFileRejects,
  checkRepoAtBaseCommit,
  checkRunnerContract,
  checkSandboxesIsolated,
  checkStdinBinary,
  checkStdinText,
  checkStdoutStderrApart,
  checkTerminateDuringExec,
  checkTerminateIdempotent,
  checkTimeout,
  checkTimeoutKillsChildren,
  checkUnicodeOutput,
  checkUseAfterTerminateRejects,
  checkWritableDirectories,
  checkWriteFileCreatesParents,
} from './checks.js'
import { type ConformanceFixture, createConformanceFixture } from './fixture.js'
import { skippedSuite } from './skip.js'

export interface BackendConformanceOptions {
  /** Creates the backend under test (called once per suite). */
  createBackend(): Promise<Backend> | Backend
  /** Called once before the suite: whatever the backend needs for the fixture task (e.g. build its image). Optional. */
  prepare?(task: Task, backend: Backend): Promise<void>
  /** Skip the whole suite with this reason (e.g. no Docker engine and not CI). */
  skip?: string | false
  /** Per-test timeout in ms (container backends are slower). Default 30 000. */
  timeoutMs?: number
  /** Image name for the fixture task's SandboxSpec (container backends); defaults to {@link CONFORMANCE_DEFAULT_IMAGE}. */
  image?(task: Task): string
}

/** The image name the suite puts in every SandboxSpec unless `options.image` says otherwise. */
export const CONFORMANCE_DEFAULT_IMAGE = 'cooperbench-conformance-fixture:latest'

/** Why a check is skipped for a backend whose capabilities say `paths: 'mapped'`. */
const MAPPED_PATHS = {
  runner: 'paths are mapped: runner.sh names /workspace/repo and /patches in its text, which only a mount namespace redirects',
  isolation: "paths are mapped: the check names the sandbox paths inside its commands, and /tmp is this machine's",
  sharedDirs: 'paths are mapped: the check names /cooperbench/team.git inside its commands',
}

/** How long `prepare` (e.g. an image build) may take. */
const PREPARE_TIMEOUT_MS = 15 * 60_000

/**
 * Defines a vitest suite, `backend conformance: <name>`, that checks a {@link Backend} and its
 * sandboxes against the contract the harness relies on (see `Backend` and `Sandbox` in
 * `@cooperbench/core`). Call it at the top level of a vitest test file:
 *
 * ```ts
 * // test/conformance.test.ts of your backend package
 * import { describeBackendConformance } from '@cooperbench/testkit'
 * import { MyBackend } from '../src/index.js'
 *
 * describeBackendConformance('my-backend', { createBackend: () => new MyBackend() })
 * ```
 *
 * A container backend builds the fixture's image in `prepare` and names it in `image`, and skips
 * when no engine is available:
 *
 * ```ts
 * describeBackendConformance('docker', {
 *   createBackend: () => new DockerBackend(),
 *   image: (task) => `cooperbench-test/${task.repo}:task${task.taskId}`,
 *   prepare: async (task, backend) => { await backend.prepareTasks?.([task], { concurrency: 1 }) },
 *   skip: !dockerAvailable && !process.env.CI ? 'no Docker engine' : false,
 *   timeoutMs: 120_000,
 * })
 * ```
 *
 * What it does: builds one task in the reference dataset format with `createFixtureTask` (a
 * tiny Python repository, one feature, a `runner.sh` printing a pytest summary line, host tools
 * bash, git and python3), loads it with `loadDataset`, creates the backend, calls `prepare`,
 * then runs one test per behaviour: `preflight`, `specificationVersion`, `supportsTask`; the
 * sandbox paths (`/workspace/repo` at the base commit, writable `/patches` and `/tmp`,
 * `runner.sh` really running the tests); exec (exit codes, separate streams, `cwd`, `env`,
 * `stdin`, argv without a shell, unicode, a string command over the kernel's 128 KiB argument
 * limit); timeouts and aborts (exit code -1 and `timedOut`, children killed too); large output
 * (`maxOutputBytes` cap and marker) and binary-safe files;
 * isolation of concurrently created sandboxes; and the lifecycle (idempotent `terminate`,
 * `terminate` during an exec, use after `terminate`, `close` leaving nothing behind).
 *
 * Every sandbox is labelled {@link SANDBOX_LABELS.run} = a run name unique to this suite; the
 * last test closes the backend and, through `listSandboxes` and `reap` when the backend has
 * them, checks that nothing with that label is left. Sandboxes a failed test left are
 * terminated after the suite. When the backend's isolation is `none` or `process`, the checks
 * for leftover processes also look at this machine's process table. A backend whose capabilities
 * say `paths: 'mapped'` (host folders, no mount namespace) has its folders checked through the
 * contract's paths in `cwd`, `writeFile` and `readFile` (`checkMappedDirectories`); the checks
 * that name sandbox paths inside a command's text (runner.sh, isolation, shared directories) are
 * skipped for it, each with its reason.
 *
 * Each behaviour is also exported as a function (`checkTimeoutKillsChildren(sandbox)` and so
 * on) that throws a `ConformanceViolation` on a breach, for use outside this suite.
 */
export function describeBackendConformance(name: string, options: BackendConformanceOptions): void {
  const title = `backend conformance: ${name}`
  if (options.skip) {
    skippedSuite(title, options.skip)
    return
  }

  const timeout = options.timeoutMs ?? 30_000
  const runName = `conformance-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomBytes(4).toString('hex')}`
  const runId = randomBytes(8).toString('hex')
  let fixture: ConformanceFixture | undefined
  let backend: Backend | undefined
  let closed = false
  let checkOptions: CheckOptions = {}
  let mapped = false
  let scratchRoot: string | undefined
  /** Every sandbox the suite created, so that a failed test leaves nothing running. */
  const created = new Set<Sandbox>()

  const ready = (): { fixture: ConformanceFixture; backend: Backend } => {
    if (!fixture || !backend) throw new Error(`${title}: the suite's setup failed (see the beforeAll error)`)
    return { fixture, backend }
  }
  const specFor = (role: string): SandboxSpec => {
    const { task } = ready().fixture
    return {
      task,
      image: options.image?.(task) ?? CONFORMANCE_DEFAULT_IMAGE,
      role,
      labels: { [SANDBOX_LABELS.run]: runName, [SANDBOX_LABELS.runId]: runId, [SANDBOX_LABELS.role]: role },
    }
  }
  const newSandbox = async (role: string): Promise<Sandbox> => {
    const sandbox = await ready().backend.createSandbox(specFor(role))
    created.add(sandbox)
    return sandbox
  }
  let shared: Promise<Sandbox> | undefined
  /** The sandbox most tests share; they touch only their own files, so they can run concurrently. */
  const sharedSandbox = (): Promise<Sandbox> => (shared ??= newSandbox('solo'))

  describe(title, { timeout }, () => {
    beforeAll(
      async () => {
        fixture = await createConformanceFixture()
        backend = await options.createBackend()
        checkOptions = { hostProcesses: backend.capabilities.isolation === 'none' || backend.capabilities.isolation === 'process' }
        mapped = backend.capabilities.paths === 'mapped'
        // Such sandboxes share this machine's /tmp: the checks' scratch files go to a folder the suite
        // owns and removes, since a check that terminates its sandbox cannot remove its own.
        if (mapped) checkOptions.scratchDir = scratchRoot = await mkdtemp(join(tmpdir(), 'cooperbench-conformance-scratch-'))
        await options.prepare?.(fixture.task, backend)
      },
      Math.max(timeout, PREPARE_TIMEOUT_MS),
    )

    afterAll(
      async () => {
        try {
          await Promise.allSettled([...created].map((sandbox) => sandbox.terminate()))
          if (backend && !closed) await backend.close?.()
        } finally {
          await fixture?.cleanup()
          if (scratchRoot) await rm(scratchRoot, { recursive: true, force: true })
        }
      },
      Math.max(timeout, 60_000),
    )

    describe('backend', () => {
      it('preflight resolves', async () => {
        await ready().backend.preflight()
      })

      it("specificationVersion is 'backend-v1'", ({ expect }) => {
        expect(ready().backend.specificationVersion).toBe('backend-v1')
      })

      it('supportsTask accepts the fixture task', async ({ expect }) => {
        const { backend, fixture } = ready()
        expect(await backend.supportsTask(fixture.task)).toEqual({ ok: true })
      })
    })

    describe('sandbox paths', () => {
      it('/workspace/repo is a clean checkout of the base commit', async () => {
        await checkRepoAtBaseCommit(await sharedSandbox(), ready().fixture.baseCommit)
      })

      it('/workspace/repo, /patches and /tmp are writable', async () => {
        if (mapped) await checkMappedDirectories(await sharedSandbox())
        else await checkWritableDirectories(await sharedSandbox())
      })

      it('runner.sh at /usr/local/bin/runner.sh runs the tests with patches written to /patches', async ({ skip }) => {
        skip(mapped, MAPPED_PATHS.runner)
        await checkRunnerContract(await sharedSandbox(), ready().fixture)
      })
    })

    describe('exec', () => {
      it.concurrent('returns exit codes: 0, 3, 127 for an unknown command', async () => {
        await checkExitCodes(await sharedSandbox())
      })
      it.concurrent('keeps stdout and stderr apart', async () => {
        await checkStdoutStderrApart(await sharedSandbox())
      })
      it.concurrent('runs in options.cwd', async () => {
        await checkCwdOption(await sharedSandbox(), checkOptions)
      })
      it.concurrent('runs in /workspace/repo by default', async () => {
        const sandbox = await sharedSandbox()
        // Mapped: the repository is where a command run in /workspace/repo finds itself.
        const repo = mapped ? (await sandbox.exec(['pwd'], { cwd: SANDBOX_REPO_DIR })).stdout.trim() : SANDBOX_REPO_DIR
        await checkDefaultCwd(sandbox, repo)
      })
      it.concurrent('adds options.env to one command', async () => {
        await checkEnvOption(await sharedSandbox())
      })
      it.concurrent('feeds text stdin, then end-of-file (also without stdin)', async () => {
        await checkStdinText(await sharedSandbox())
      })
      it.concurrent('feeds binary stdin unchanged', async () => {
        await checkStdinBinary(await sharedSandbox())
      })
      it.concurrent('runs an array as argv, not re-parsed by a shell', async () => {
        await checkArgvNotReparsed(await sharedSandbox())
      })
      it.concurrent('returns unicode output intact, also split across writes', async () => {
        await checkUnicodeOutput(await sharedSandbox())
      })
      it.concurrent('runs a 300 KiB string command (over the 128 KiB argument limit) with its options, leaving nothing in /tmp', async () => {
        await checkLongCommand(await sharedSandbox(), checkOptions)
      })
    })

    describe('timeouts and aborts', () => {
      it.concurrent('a command past timeoutMs returns promptly with exit code -1 and timedOut', async () => {
        await checkTimeout(await sharedSandbox(), checkOptions)
      })
      it.concurrent('a timeout kills the processes the command started', async () => {
        await checkTimeoutKillsChildren(await sharedSandbox(), checkOptions)
      })
      it.concurrent('aborting the signal mid-command kills it and its children like a timeout', async () => {
        await checkAbortSignal(await sharedSandbox(), checkOptions)
      })
      it.concurrent('an already aborted signal returns at once like a timeout', async () => {
        await checkAlreadyAbortedSignal(await sharedSandbox(), checkOptions)
      })
      it.concurrent('a command that finishes before its timeout is unaffected', async () => {
        await checkFinishesBeforeTimeout(await sharedSandbox())
      })
    })

    describe('large output and files', () => {
      it.concurrent('caps 20 MB of stdout at maxOutputBytes with truncated and a marker line, promptly', async () => {
        await checkOutputCap(await sharedSandbox(), checkOptions)
      })
      it.concurrent('round-trips 5 MiB of random bytes through writeFile and readFile', async () => {
        await checkBinaryRoundTrip(await sharedSandbox(), checkOptions)
      })
      it.concurrent('round-trips an empty file', async () => {
        await checkEmptyFileRoundTrip(await sharedSandbox(), checkOptions)
      })
      it.concurrent('writeFiles, when offered, writes several files as writeFile would', async () => {
        await checkWriteFiles(await sharedSandbox(), checkOptions)
      })
      it.concurrent('readFile returns a file a command wrote, byte for byte', async () => {
        await checkReadFileWrittenByExec(await sharedSandbox(), checkOptions)
      })
      it.concurrent('writeFile creates parent directories', async () => {
        await checkWriteFileCreatesParents(await sharedSandbox(), checkOptions)
      })
      it.concurrent('readFile of a missing file rejects', async () => {
        await checkReadMissingFileRejects(await sharedSandbox(), checkOptions)
      })
    })

    describe('exposed ports', () => {
      // An optional capability: a backend without it passes (its agents that need it fail clearly).
      it('exposePort, when the backend offers it, reaches a server in the sandbox, byte for byte, over several connections', async () => {
        await checkExposedPort(await sharedSandbox(), checkOptions)
      })
    })

    describe('isolation and concurrency', () => {
      let four: Promise<Sandbox[]> | undefined
      const fourSandboxes = () => (four ??= Promise.all(['agent1', 'agent2', 'solo', 'eval'].map((role) => newSandbox(role))))
      afterAll(async () => {
        const sandboxes = await four?.catch(() => [])
        await Promise.allSettled((sandboxes ?? []).map((sandbox) => sandbox.terminate()))
      })

      it('4 sandboxes of the same task created concurrently all work', async ({ expect }) => {
        const sandboxes = await fourSandboxes()
        expect(new Set(sandboxes.map((sandbox) => sandbox.id)).size).toBe(4)
        await Promise.all(sandboxes.map((sandbox) => checkRepoAtBaseCommit(sandbox, ready().fixture.baseCommit)))
      })

      // 24 writes and 12 listings one after another: a CLI-driven backend on a loaded machine needs minutes.
      it('a file written in one sandbox is not visible in another', async ({ skip }) => {
        skip(mapped, MAPPED_PATHS.isolation)
        await checkSandboxesIsolated(await fourSandboxes())
      }, 300_000)
    })

    describe('shared directories', () => {
      it('two sandboxes sharing a host bare repository can push to and fetch from it (the --git remote)', async ({ expect, skip }) => {
        skip(mapped, MAPPED_PATHS.sharedDirs)
        const remote = await mkdtemp(join(tmpdir(), 'cooperbench-conformance-remote-'))
        try {
          execFileSync('git', ['init', '-q', '--bare', remote])
          const sharedDirs = [{ hostPath: remote, sandboxPath: '/cooperbench/team.git' }]
          const [one, two] = await Promise.all(
            ['agent1', 'agent2'].map(async (role) => {
              const sandbox = await ready().backend.createSandbox({ ...specFor(role), sharedDirs })
              created.add(sandbox)
              return sandbox
            }),
          )
          const git = 'git -c user.name=agent1 -c user.email=agent1@cooperbench.local'
          const push = await one!.exec(
            `echo shared > SHARED.md && git add SHARED.md && ${git} commit -qm shared && git remote add team /cooperbench/team.git && git push -q team HEAD:refs/heads/agent1`,
          )
          expect(push.exitCode, push.stderr).toBe(0)
          const fetch = await two!.exec('git remote add team /cooperbench/team.git && git fetch -q team && git show team/agent1:SHARED.md')
          expect(fetch.exitCode, fetch.stderr).toBe(0)
          expect(fetch.stdout.trim()).toBe('shared')
          await Promise.all([one!.terminate(), two!.terminate()])
        } finally {
          await rm(remote, { recursive: true, force: true })
        }
      })
    })

    describe('lifecycle', () => {
      it.concurrent('terminate twice (and twice at once) is fine', async () => {
        await checkTerminateIdempotent(await newSandbox('eval'), checkOptions)
      })

      it.concurrent('terminate during a running exec resolves that exec with exit code -1, promptly', async () => {
        await checkTerminateDuringExec(await newSandbox('eval'), checkOptions)
      })

      it.concurrent('exec, writeFile and readFile after terminate reject', async () => {
        await checkUseAfterTerminateRejects(await newSandbox('eval'), checkOptions)
      })

      it.concurrent('a sandbox created in a block that throws is terminated in finally', async ({ expect }) => {
        // The pattern every caller follows: whatever happens after createSandbox, terminate in finally.
        const failure = new Error('deliberate failure after createSandbox')
        let sandbox: Sandbox | undefined
        const attempt = async () => {
          sandbox = await newSandbox('eval')
          try {
            await sandbox.exec('true')
            throw failure
          } finally {
            await sandbox.terminate()
          }
        }
        await expect(attempt()).rejects.toBe(failure)
        expect(sandbox).toBeDefined()
        await expect(Promise.resolve().then(() => sandbox!.exec('true'))).rejects.toThrow()
      })
    })

    describe('cleanup', () => {
      it('close() after terminating every sandbox leaves nothing labelled with this run behind', async () => {
        const { backend } = ready()
        await Promise.all([...created].map((sandbox) => sandbox.terminate()))
        closed = true
        await backend.close?.()
        await checkNoLeftovers(backend, runName)
      })
    })
  })
}

import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Backend, Sandbox, SandboxInfo } from '@cooperbench/core'
import { SANDBOX_LABELS } from '@cooperbench/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type CheckOptions,
  ConformanceViolation,
  checkAbortSignal,
  checkAlreadyAbortedSignal,
  checkArgvNotReparsed,
  checkBinaryRoundTrip,
  checkCwdOption,
  checkEmptyFileRoundTrip,
  checkEnvOption,
  checkExitCodes,
  checkFinishesBeforeTimeout,
  checkLongCommand,
  checkNoLeftovers,
  checkOutputCap,
  checkReadFileWrittenByExec,
  checkReadMissingFileRejects,
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
  checkMappedDirectories,
  checkWriteFileCreatesParents,
  createConformanceFixture,
  describeBackendConformance,
  hasTruncationMarker,
  leftoverProcesses,
} from '../src/index.js'
import { type Flaws, HostFakeSandbox } from './host-fake-sandbox.js'

type Check = (sandbox: Sandbox, options: CheckOptions) => Promise<unknown>

let scratchDir: string
/** Short promptness limit: the checks' waits on broken fakes end sooner. */
let options: CheckOptions
const fakes: HostFakeSandbox[] = []
function fake(flaws: Flaws = {}): HostFakeSandbox {
  const sandbox = new HostFakeSandbox(scratchDir, flaws)
  fakes.push(sandbox)
  return sandbox
}

beforeAll(async () => {
  scratchDir = await mkdtemp(join(tmpdir(), 'cb-conformance-selfcheck-'))
  options = { promptMs: 1_500, hostProcesses: true, scratchDir }
})
afterEach(() => {
  for (const sandbox of fakes.splice(0)) sandbox.destroy()
})
afterAll(async () => {
  await rm(scratchDir, { recursive: true, force: true })
})

describe('leftoverProcesses', () => {
  const listing = [
    'PID ARGS',
    '/sbin/init',
    'bash -c sleep 30.123456789 & sleep 30.123456789',
    'sleep 30.123456789',
    'sleep 30.99',
    '',
    'ps -eo args',
    'grep 30.123456789',
  ].join('\n')

  it('finds the command lines that contain the marker', () => {
    expect(leftoverProcesses(listing, '30.123456789')).toEqual(['bash -c sleep 30.123456789 & sleep 30.123456789', 'sleep 30.123456789'])
  })

  it('finds nothing when the processes are gone, and ignores the listing tools themselves', () => {
    expect(leftoverProcesses('/sbin/init\nsleep 30.99\n\nps -eo args\n/usr/bin/grep 30.1234\n', '30.1234')).toEqual([])
  })

  it('refuses an empty marker, which would match everything', () => {
    expect(() => leftoverProcesses(listing, '')).toThrow()
  })
})

describe('hasTruncationMarker', () => {
  it('wants a line that mentions truncation', () => {
    expect(hasTruncationMarker('aaaa\n[... output truncated by cooperbench: 19000000 bytes omitted ...]\n')).toBe(true)
    expect(hasTruncationMarker('aaaa\n<TRUNCATED>')).toBe(true)
    expect(hasTruncationMarker('a'.repeat(1000))).toBe(false)
  })
})

describe('createConformanceFixture', () => {
  it('builds a loadable task with a tests patch and a feature patch', async () => {
    const fixture = await createConformanceFixture()
    try {
      expect(fixture.task).toMatchObject({ repo: 'conformance_task', taskId: 1, manifest: { local: { hostTools: ['bash', 'git', 'python3'] } } })
      expect(fixture.task.source.baseCommit).toBe(fixture.baseCommit)
      expect(fixture.testsPatch).toContain('tests/test_sub.py')
      expect(fixture.featurePatch).toContain('def sub(a, b)')
      expect((await readdir(fixture.task.dir)).sort()).toEqual(
        ['Dockerfile', 'combined.patch', 'cooperbench.json', 'feature1', 'repo.bundle', 'runner.sh', 'setup.sh'].sort(),
      )
    } finally {
      await fixture.cleanup()
    }
  })
})

// Checks a correct host sandbox passes: the checks are not stricter than the contract.
const positive: Array<[string, Check]> = [
  ['checkExitCodes', checkExitCodes],
  ['checkStdoutStderrApart', checkStdoutStderrApart],
  ['checkCwdOption', checkCwdOption],
  ['checkEnvOption', checkEnvOption],
  ['checkStdinText', checkStdinText],
  ['checkStdinBinary', checkStdinBinary],
  ['checkArgvNotReparsed', checkArgvNotReparsed],
  ['checkUnicodeOutput', checkUnicodeOutput],
  ['checkLongCommand', checkLongCommand],
  ['checkTimeout', checkTimeout],
  ['checkTimeoutKillsChildren', checkTimeoutKillsChildren],
  ['checkAbortSignal', checkAbortSignal],
  ['checkAlreadyAbortedSignal', checkAlreadyAbortedSignal],
  ['checkFinishesBeforeTimeout', checkFinishesBeforeTimeout],
  ['checkOutputCap', checkOutputCap],
  ['checkBinaryRoundTrip', checkBinaryRoundTrip],
  ['checkEmptyFileRoundTrip', checkEmptyFileRoundTrip],
  ['checkReadFileWrittenByExec', checkReadFileWrittenByExec],
  ['checkWriteFileCreatesParents', checkWriteFileCreatesParents],
  ['checkReadMissingFileRejects', checkReadMissingFileRejects],
  ['checkWritableDirectories (scratch dir)', (sandbox) => checkWritableDirectories(sandbox, [scratchDir])],
  ['checkMappedDirectories (a folder in the scratch dir)', (sandbox) => checkMappedDirectories(sandbox, [`${scratchDir}/mapped`])],
  ['checkTerminateIdempotent', checkTerminateIdempotent],
  ['checkTerminateDuringExec', checkTerminateDuringExec],
  ['checkUseAfterTerminateRejects', checkUseAfterTerminateRejects],
]

describe('a correct sandbox passes', () => {
  it.each(positive)('%s', async (_, check) => {
    await check(fake(), options)
  })
})

// One flaw at a time, and the check that must catch it (with what its message must say).
const negative: Array<[keyof Flaws, string, Check, RegExp]> = [
  ['swallowExitCode', 'checkExitCodes', checkExitCodes, /expected exitCode 3, got 0/],
  ['mergeStderr', 'checkStdoutStderrApart', checkStdoutStderrApart, /expected stdout "out\\nout2\\n"/],
  ['ignoreCwd', 'checkCwdOption', checkCwdOption, /with cwd \/tmp: expected stdout "\/tmp\\n"/],
  [
    'ignoreCwd',
    'checkMappedDirectories',
    (sandbox) => checkMappedDirectories(sandbox, [`${scratchDir}/mapped`]),
    /cat cooperbench-mapped-[0-9a-f]+ in .*\/mapped after writeFile: expected exitCode 0/,
  ],
  ['ignoreEnv', 'checkEnvOption', checkEnvOption, /env seen by a shell command/],
  ['envLeaks', 'checkEnvOption', checkEnvOption, /env of an earlier command seen by the next one/],
  ['stdinAsText', 'checkStdinBinary', checkStdinBinary, /sha256sum of \d+ binary stdin bytes/],
  ['argvThroughShell', 'checkArgvNotReparsed', checkArgvNotReparsed, /argv that a shell would re-parse/],
  ['decodePerChunk', 'checkUnicodeOutput', checkUnicodeOutput, /three-byte characters split across writes: .*first wrong one/],
  ['longCommandInline', 'checkLongCommand', checkLongCommand, /a 3\d\d KiB command \(a heredoc\) rejected: spawn E2BIG/],
  [
    'keepCommandScript',
    'checkLongCommand',
    checkLongCommand,
    /a 3\d\d KiB command \(a heredoc\) left a copy of itself in \/tmp: \/tmp\/\.cooperbench-command-/,
  ],
  ['ignoreTimeout', 'checkTimeout', checkTimeout, /did not return within 2000 ms/],
  ['timeoutExitCode137', 'checkTimeout', checkTimeout, /expected exitCode -1, got 137/],
  ['ignoreTimeout', 'checkTimeoutKillsChildren', checkTimeoutKillsChildren, /did not return within 2000 ms/],
  [
    'killDirectChildOnly',
    'checkTimeoutKillsChildren',
    checkTimeoutKillsChildren,
    /killed by its timeout after 500 ms: processes it started are still running .*sleep 300\.\d+/,
  ],
  ['killDirectChildOnly', 'checkAbortSignal', checkAbortSignal, /killed by its abort signal after 500 ms: processes it started are still running/],
  ['ignoreSignal', 'checkAbortSignal', checkAbortSignal, /killed by its abort signal after 500 ms did not return within 2000 ms/],
  ['ignoreSignal', 'checkAlreadyAbortedSignal', checkAlreadyAbortedSignal, /with an aborted signal did not return within 1500 ms/],
  ['ignoreMaxOutput', 'checkOutputCap', checkOutputCap, /expected truncated true, got false/],
  ['truncateWithoutMarker', 'checkOutputCap', checkOutputCap, /no line mentioning truncation/],
  ['writeFileAsText', 'checkBinaryRoundTrip', checkBinaryRoundTrip, /readFile of 5 MiB written by writeFile/],
  ['writeFileNoParents', 'checkWriteFileCreatesParents', checkWriteFileCreatesParents, /whose parent directories do not exist rejected: ENOENT/],
  ['readMissingAsEmpty', 'checkReadMissingFileRejects', checkReadMissingFileRejects, /expected a rejection, it resolved/],
  ['terminateNotIdempotent', 'checkTerminateIdempotent', checkTerminateIdempotent, /a second terminate rejected: fake-[0-9a-f]+ is already terminated/],
  ['terminateLeavesExec', 'checkTerminateDuringExec', checkTerminateDuringExec, /the command running during terminate did not return within 1500 ms/],
  ['usableAfterTerminate', 'checkUseAfterTerminateRejects', checkUseAfterTerminateRejects, /exec after terminate: expected a rejection/],
]

describe('a broken sandbox fails the check for its flaw', () => {
  // Concurrently: most of these wait out a deadline. Each test kills what its fake left.
  it.concurrent.for(negative)('%s → %s throws', async ([flaw, , check, message], { expect }) => {
    const broken = new HostFakeSandbox(scratchDir, { [flaw]: true })
    try {
      const error = await check(broken, options).then(
        () => null,
        (e: unknown) => e,
      )
      expect(error, `${flaw} went unnoticed`).toBeInstanceOf(ConformanceViolation)
      expect((error as Error).message).toMatch(message)
    } finally {
      broken.destroy()
    }
  })

  it('a timeout that kills only the shell still passes checkTimeout (the checks are specific)', async () => {
    await checkTimeout(fake({ killDirectChildOnly: true }), options)
  })
})

describe('checkSandboxesIsolated', () => {
  it('fails for sandboxes that share a directory', async () => {
    const error = await checkSandboxesIsolated([fake(), fake()], { dirs: [scratchDir] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConformanceViolation)
    expect((error as Error).message).toMatch(/sandbox 0 \(fake-[0-9a-f]+\) sees files another sandbox wrote: .*-1\.exec/)
  })

  it('fails for one sandbox passed twice', async () => {
    const one = fake()
    await expect(checkSandboxesIsolated([one, one], { dirs: [scratchDir] })).rejects.toThrow(/sandbox ids are distinct/)
  })
})

describe('checkNoLeftovers', () => {
  const runName = 'conformance-selfcheck-run'
  const info = (id: string, run: string): SandboxInfo => ({ id, labels: { [SANDBOX_LABELS.run]: run }, state: 'running', createdAt: null, ownerAlive: true })
  const backend = (extra: Partial<Backend>): Backend => ({
    specificationVersion: 'backend-v1',
    name: 'fake',
    capabilities: { isolation: 'none', network: false, snapshots: false },
    preflight: async () => {},
    supportsTask: () => ({ ok: true }),
    createSandbox: () => Promise.reject(new Error('not in this test')),
    ...extra,
  })

  it('fails when listSandboxes still lists a sandbox of the run', async () => {
    const leaky = backend({ listSandboxes: async () => [info('other', 'another-run'), info('left-1', runName)] })
    await expect(checkNoLeftovers(leaky, runName)).rejects.toThrow(/still lists sandboxes of run conformance-selfcheck-run: left-1 \(running\)/)
  })

  it('fails when reap still finds something to remove', async () => {
    await expect(checkNoLeftovers(backend({ reap: async () => 2 }), runName)).rejects.toThrow(/removed 2 leftover/)
  })

  it('passes a clean backend and says what it could check', async () => {
    const clean = backend({ listSandboxes: async () => [info('other', 'another-run')], reap: async () => 0 })
    expect(await checkNoLeftovers(clean, runName)).toEqual(['listSandboxes', 'reap'])
    expect(await checkNoLeftovers(backend({}), runName)).toEqual([])
  })
})

// The skip option: the suite shows as skipped with its reason, and never creates the backend.
describeBackendConformance('selfcheck-skipped', {
  skip: 'deliberately skipped by the self-check',
  createBackend: () => {
    throw new Error('a skipped suite must not create its backend')
  },
})

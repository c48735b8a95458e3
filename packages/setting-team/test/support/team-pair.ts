import { spawnSync } from 'node:child_process'
import { chmod, cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ExecResult, MessageBus, PairService, Sandbox, SettingPair, SharedLog, Task } from '@cooperbench/spec'
import { getOrCreate, MemoryLogs, silentLogger } from '@cooperbench/spec-utils'
import { tempFolderOfThisFile } from '../../../../scripts/test/after-every.js'
import type { TaskList } from '../../src/task-list/task-types.js'
import { TeamTaskList } from '../../src/task-list/team-task-list.js'

/** A bus that keeps only shared logs (in this process), counting what the team opened on it; messaging is not the team's to use. */
export function logsBus(logs = new MemoryLogs(), wrap: (log: SharedLog) => SharedLog = (log) => log) {
  const opened: string[] = []
  const unused = () => Promise.reject(new Error('messaging is not used by these tests'))
  const bus = {
    specificationVersion: 'bus-v1' as const,
    name: 'memory',
    open: unused,
    transcript: unused,
    clear: async (namespace: string) => logs.clear(namespace),
    openLog: async (namespace: string, name: string) => (opened.push(`${namespace}/${name}`), wrap(logs.open(namespace, name))),
    close: async () => {},
  } satisfies MessageBus
  return { bus, logs, opened }
}

/** A fresh task list on its own log, as a pair's `teamTaskList` makes it. */
export function memoryTaskList(logs = new MemoryLogs(), namespace = `team:test-${Math.random()}`): TeamTaskList {
  return new TeamTaskList(logs.open(namespace, 'tasks'), async () => logs.open(namespace, 'tasks'))
}

export interface TestPair {
  pair: SettingPair
  /** The pair's folder, where `writeFile` and `copyFolder` write. */
  dir: string
  /** Runs what the pair owns, last first, as the harness does when the pair ends. */
  end(): Promise<void>
}

/**
 * One pair as the harness gives it to the team setting, on this machine: folders in a temp folder, each service made once, the given
 * bus. What the tests at hand never call rejects (`runSeats`, channels and git remotes unless given).
 */
export async function testPair(
  input: { bus: MessageBus | null; features?: number[]; runId?: string; messaging?: boolean; sharedFolders?: boolean } & Partial<
    Pick<SettingPair, 'runSeats' | 'openChannel'>
  >,
): Promise<TestPair> {
  const root = await tempFolderOfThisFile('team-pair-')
  const dir = join(root, 'pair')
  const owned: Array<() => Promise<void> | void> = []
  const services = new Map<string, Promise<unknown>>()
  const unused = (what: string) => () => Promise.reject(new Error(`${what} is not used by this test`))
  const features = input.features ?? [1, 2]
  const pair: SettingPair = {
    task: { repo: 'test_task', taskId: 1 } as Task,
    features,
    runId: input.runId ?? 'abcdef01',
    options: {},
    run: { messaging: input.messaging ?? true, git: false, features: features.length },
    bus: input.bus,
    backend: { name: 'local', capabilities: { isolation: 'none', network: true, snapshots: false, sharedFolders: input.sharedFolders ?? true } },
    logger: silentLogger,
    signal: new AbortController().signal,
    featureText: async (featureId) => `Implement feature ${featureId}.`,
    runSeats: input.runSeats ?? unused('runSeats'),
    startSeat: () => {
      throw new Error('startSeat is not used by this test')
    },
    service: <T>(ref: PairService<T>) => getOrCreate(services, ref.id, () => Promise.resolve().then(() => ref.create(pair))) as Promise<T>,
    openChannel: input.openChannel ?? unused('openChannel'),
    openGitRemote: unused('openGitRemote'),
    openFolder: async (label) => {
      const folder = await mkdtemp(join(root, `${label}-`))
      await chmod(folder, 0o777)
      return folder
    },
    own: (_what, dispose) => void owned.push(dispose),
    writeFile: async (name, content) => {
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2))
    },
    copyFolder: async (source, name) => {
      await mkdir(dir, { recursive: true })
      await cp(source, join(dir, name), { recursive: true })
    },
  }
  return {
    pair,
    dir,
    end: async () =>
      void (await Promise.all(
        owned
          .splice(0)
          .reverse()
          .map((dispose) => dispose()),
      )),
  }
}

/**
 * A sandbox whose commands run in `sh` on this machine with `root` standing for its `/` in the paths the team writes
 * (`/workspace/shared`), so what the team runs in a sandbox is itself checked. Counts its commands.
 */
export function hostShellSandbox(root: string) {
  const commands: string[] = []
  const sandbox: Sandbox = {
    id: 'host-shell',
    exec: async (command) => {
      const argv = typeof command === 'string' ? ['sh', '-c', command] : command
      commands.push(argv.join(' '))
      const done = spawnSync(
        argv[0]!,
        argv.slice(1).map((arg) => arg.replaceAll('/workspace/', `${root}/workspace/`)),
        { encoding: 'utf8' },
      )
      const result: ExecResult = { exitCode: done.status ?? -1, stdout: done.stdout, stderr: done.stderr, timedOut: false, truncated: false, durationMs: 0 }
      return result
    },
    writeFile: () => Promise.reject(new Error('not used')),
    readFile: () => Promise.reject(new Error('not used')),
    terminate: async () => {},
  }
  return { sandbox, commands }
}

/** `list` with one method rejecting with `message` (a bus gone), the rest its own. */
export function failing(list: TaskList, method: keyof TaskList, message: string): TaskList {
  return new Proxy(list, {
    get: (target, key, receiver) => (key === method ? () => Promise.reject(new Error(message)) : Reflect.get(target, key, receiver).bind(target)),
  })
}

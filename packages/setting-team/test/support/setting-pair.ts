import type { BackendCapabilities, MessageBus, SettingPair, Task } from '@cooperbench/spec'
import { Lifetime } from '@cooperbench/core/plugins'
import { pairFolders } from '@cooperbench/core/runner'
import { silentLogger } from '@cooperbench/spec-utils'

/**
 * One pair as the harness gives it to the team setting, with core's own folders and files (in
 * `dir`, owned by `lifetime`) and the given bus; what these tests never call throws.
 */
export function testSettingPair(input: { bus: MessageBus | null; dir: string; lifetime: Lifetime; features?: number[]; sharedFolders?: boolean }): SettingPair {
  const unused = (what: string) => () => {
    throw new Error(`${what} is not used by this test`)
  }
  const capabilities: BackendCapabilities = { isolation: 'none', network: true, snapshots: false, sharedFolders: input.sharedFolders ?? true }
  return {
    task: { repo: 'test_task', taskId: 1 } as Task,
    features: input.features ?? [1, 2],
    runId: 'abcdef01',
    options: {},
    run: { messaging: true, git: false, features: input.features?.length ?? 2 },
    bus: input.bus,
    backend: { name: 'local', capabilities },
    logger: silentLogger,
    signal: new AbortController().signal,
    featureText: unused('featureText'),
    runSeats: unused('runSeats'),
    openChannel: unused('openChannel'),
    openGitRemote: unused('openGitRemote'),
    ...pairFolders(input.lifetime, input.dir),
  }
}

export { Lifetime }

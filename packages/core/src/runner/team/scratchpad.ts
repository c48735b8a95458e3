import { chmod, cp, lstat, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SharedDir } from '@cooperbench/spec'
import { TEAM_SCRATCHPAD_DIR } from '@cooperbench/spec/team'
import type { Lifetime } from '../../plugin/lifetime.js'

export interface Scratchpad {
  /** The folder on the harness's host. */
  hostDir: string
  /** Mounted at `/workspace/shared` in every sandbox of the team. */
  sharedDir: SharedDir
}

/**
 * The team's scratchpad: a host folder, removed with the pair's scope, that every sandbox of the
 * team mounts read-write at `/workspace/shared` (upstream's per-run Docker volume). Writable by
 * every user, as a task image may run its agent as a user other than the harness's.
 */
export async function createScratchpad(lifetime: Lifetime): Promise<Scratchpad> {
  const hostDir = await ownedOpenFolder(lifetime, 'scratchpad', 'cooperbench-scratchpad-')
  return { hostDir, sharedDir: { hostPath: hostDir, sandboxPath: TEAM_SCRATCHPAD_DIR, kind: 'folder' } }
}

/**
 * One agent's team-command spool as a host folder (mounted at the spool's path in its sandbox),
 * removed with the pair's scope; writable by every user, like the scratchpad.
 */
export function createCommandSpool(lifetime: Lifetime, agentId: string): Promise<string> {
  return ownedOpenFolder(lifetime, 'command spool', `cooperbench-spool-${agentId}-`)
}

/** A new temp folder writable by every user, removed with `lifetime` (named `what` in its log). */
async function ownedOpenFolder(lifetime: Lifetime, what: string, prefix: string): Promise<string> {
  const hostDir = await mkdtemp(join(tmpdir(), prefix))
  lifetime.own(`${what} ${hostDir}`, () => rm(hostDir, { recursive: true, force: true }))
  await chmod(hostDir, 0o777)
  return hostDir
}

/**
 * Copies the scratchpad's files as the agents left them into `target` (the pair folder's
 * `scratchpad/`, the task mirror included): regular files and folders only, so a link an agent
 * made to a file outside (`/etc/…`) is not followed into the results.
 */
export async function copyScratchpad(scratchpad: Scratchpad, target: string): Promise<void> {
  await rm(target, { recursive: true, force: true })
  await cp(scratchpad.hostDir, target, {
    recursive: true,
    dereference: false,
    filter: async (source) => {
      const stat = await lstat(source).catch(() => null)
      return stat !== null && (stat.isDirectory() || stat.isFile())
    },
  })
}

import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Logger, type Sandbox, type TaskList, CooperbenchError, errorMessage } from '@cooperbench/spec'
import { PROTOCOL_COMMANDS } from './protocol-commands.js'
import { TaskCommandServer } from './task-command-server.js'
import {
  prepareTaskCommandsCommand,
  TASK_COMMAND_BIN_DIR,
  TASK_COMMAND_SPOOL_DIR,
  TASK_COMMANDS,
  type TeamCommandName,
  taskCommandScripts,
} from './task-commands.js'
import { hostFolderTaskSpool } from './task-spool.js'
import { withCommandsOnPath } from './commands-on-path.js'
import type { TaskMirror } from '../harness/task-mirror.js'

/** How often the harness looks for an agent's commands through its sandbox (backing off to 2 s while none come). */
const POLL_MS = 250
/** How often it looks at a spool folder mounted from this machine (a folder read; no back-off). */
const HOST_SPOOL_POLL_MS = 100

export interface ServedTaskCommands {
  /** The sandbox as the agent gets it: the commands on the PATH of everything it runs. */
  agentSandbox: Sandbox
  /** Stops answering after one last exchange (call it when the agent's run ended). */
  stop: () => Promise<void>
}

/**
 * Installs the team's commands and answers them as that agent until `stop` (whose last exchange answers a command issued at the end),
 * through `Sandbox.exec` or a spool mounted from here (`hostSpoolDir`). Without a list: nothing installed, only `env`.
 */
export async function serveTaskCommandsIn(
  sandbox: Sandbox,
  list: TaskList | null,
  agentId: string,
  options: {
    logger: Logger
    signal: AbortSignal
    team: readonly string[]
    protocol: boolean
    /** The host folder the sandbox mounts at `TASK_COMMAND_SPOOL_DIR` (a backend with `sharedFolders`), if any. */
    hostSpoolDir?: string | null
    /** Variables of everything the agent runs (upstream's `CB_TEAM_*`). */
    env?: Record<string, string>
    /** The agent's own mirror of the list, refreshed when it runs `coop-task-list`. */
    localMirror?: TaskMirror
    /** Link the commands into `/usr/local/bin` (default): not where the sandbox's root is the host's, read-only. */
    linkCommands?: boolean
  },
): Promise<ServedTaskCommands> {
  if (list === null) return { agentSandbox: withCommandsOnPath(sandbox, null, options.env), stop: async () => {} }
  const commands: readonly TeamCommandName[] = options.protocol ? [...TASK_COMMANDS, ...PROTOCOL_COMMANDS] : TASK_COMMANDS
  const scripts = taskCommandScripts(TASK_COMMAND_SPOOL_DIR, { protocol: true })
  const files = new Map(commands.map((name) => [name, scripts[name]] as const))
  // Also in /usr/local/bin where the image lets us (a container's root), for processes the harness did not start.
  const links =
    options.linkCommands === false ? '' : commands.map((name) => `ln -sf ${TASK_COMMAND_BIN_DIR}/${name} /usr/local/bin/${name} 2>/dev/null`).join('; ')
  // A spool mounted from this machine is written here: no command in the sandbox unless it links them.
  const prepared = options.hostSpoolDir
    ? await installOnHost(options.hostSpoolDir, files).then(() =>
        links ? sandbox.exec(`${links}; true`, { cwd: '/', timeoutMs: 60_000, signal: options.signal }) : null,
      )
    : await installInSandbox(sandbox, files, links, options.signal)
  if (prepared && prepared.exitCode !== 0) {
    const output = (prepared.stderr || prepared.stdout).trim().slice(-500)
    throw new CooperbenchError('SANDBOX_FAILED', `could not install the team's task commands for ${agentId}: ${output}`, {
      hint: `The sandbox must let the harness write ${TASK_COMMAND_SPOOL_DIR} (its /tmp).`,
    })
  }
  let failures = 0
  const server = new TaskCommandServer({
    sandbox,
    list,
    agentId,
    team: options.team,
    protocol: options.protocol,
    ...(options.hostSpoolDir ? { spool: hostFolderTaskSpool(options.hostSpoolDir), pollMs: HOST_SPOOL_POLL_MS } : { pollMs: POLL_MS }),
    signal: options.signal,
    ...(options.localMirror ? { afterList: () => options.localMirror!.refresh() } : {}),
    onError: (error) => {
      // One warning per streak: a sandbox gone for good would otherwise warn four times a second.
      if (failures++ === 0) options.logger.warn(`task commands of ${agentId}: ${errorMessage(error)}`)
    },
  }).start()
  return { agentSandbox: withCommandsOnPath(sandbox, TASK_COMMAND_BIN_DIR, options.env), stop: () => server.stop() }
}

/** The commands written into the spool folder on this machine, as `prepareTaskCommandsCommand` lays it out. */
async function installOnHost(spool: string, files: ReadonlyMap<string, string>): Promise<void> {
  // Writable by every user: the image may run its agent as another user than the harness.
  await Promise.all(['req', 'res', 'bin'].map((dir) => mkdir(join(spool, dir), { recursive: true }).then(() => chmod(join(spool, dir), 0o777))))
  await Promise.all([...files].map(([name, text]) => writeFile(join(spool, 'bin', name), text, { mode: 0o755 })))
}

/** The commands written through the sandbox, then made executable (and linked) by one command there. */
async function installInSandbox(sandbox: Sandbox, files: ReadonlyMap<string, string>, links: string, signal: AbortSignal) {
  const paths = new Map([...files].map(([name, text]) => [`${TASK_COMMAND_BIN_DIR}/${name}`, text] as const))
  if (sandbox.writeFiles) await sandbox.writeFiles(paths)
  else for (const [path, text] of paths) await sandbox.writeFile(path, text)
  const prepare = prepareTaskCommandsCommand(TASK_COMMAND_SPOOL_DIR, [...files.keys()])
  return sandbox.exec(`${prepare}${links ? ` && { ${links}; true; }` : ''}`, { cwd: '/', timeoutMs: 60_000, signal })
}

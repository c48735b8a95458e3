import { type Logger, type Sandbox, type TaskList, CooperbenchError, errorMessage } from '@cooperbench/spec'
import {
  hostFolderTaskSpool,
  PROTOCOL_COMMANDS,
  prepareTaskCommandsCommand,
  TASK_COMMAND_SPOOL_DIR,
  TASK_COMMANDS,
  TaskCommandServer,
  type TeamCommandName,
  taskCommandScripts,
} from '@cooperbench/spec-utils/host'
import { withCommandsOnPath } from './commands-on-path.js'

/** Where the commands are installed in every team sandbox; the agent's commands find them on PATH (see {@link withCommandsOnPath}). */
export const TASK_COMMAND_BIN_DIR = `${TASK_COMMAND_SPOOL_DIR}/bin`

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
 * Installs the team's commands in an agent's sandbox, the task list's `coop-task-*` and, with
 * `protocol`, `coop-request` / `coop-respond` / `coop-pending`, and answers them from the team's
 * list, as that agent, until `stop`: one last exchange then answers a command issued at the very
 * end. Works in any task image: the commands are POSIX sh, the answers come through `Sandbox.exec`,
 * or, when the sandbox mounts the spool from this machine (`hostSpoolDir`), through that folder.
 */
export async function serveTaskCommandsIn(
  sandbox: Sandbox,
  list: TaskList,
  agentId: string,
  options: {
    logger: Logger
    signal: AbortSignal
    team: readonly string[]
    protocol: boolean
    /** The host folder the sandbox mounts at `TASK_COMMAND_SPOOL_DIR` (a backend with `sharedFolders`), if any. */
    hostSpoolDir?: string | null
  },
): Promise<ServedTaskCommands> {
  const commands: readonly TeamCommandName[] = options.protocol ? [...TASK_COMMANDS, ...PROTOCOL_COMMANDS] : TASK_COMMANDS
  const scripts: Partial<Record<TeamCommandName, string>> = options.protocol
    ? taskCommandScripts(TASK_COMMAND_SPOOL_DIR, { protocol: true })
    : taskCommandScripts(TASK_COMMAND_SPOOL_DIR)
  const files = new Map(commands.map((name) => [`${TASK_COMMAND_BIN_DIR}/${name}`, scripts[name]!] as const))
  if (sandbox.writeFiles) await sandbox.writeFiles(files)
  else for (const [path, text] of files) await sandbox.writeFile(path, text)
  // Also in /usr/local/bin where the image lets us (a container's root), for processes the harness did not start; bwrap's root is read-only.
  const links = commands.map((name) => `ln -sf ${TASK_COMMAND_BIN_DIR}/${name} /usr/local/bin/${name} 2>/dev/null`).join('; ')
  const prepared = await sandbox.exec(`${prepareTaskCommandsCommand(TASK_COMMAND_SPOOL_DIR, commands)} && { ${links}; true; }`, {
    cwd: '/',
    timeoutMs: 60_000,
    signal: options.signal,
  })
  if (prepared.exitCode !== 0) {
    throw new CooperbenchError(
      'SANDBOX_FAILED',
      `could not install the team's task commands for ${agentId}: ${(prepared.stderr || prepared.stdout).trim().slice(-500)}`,
      {
        hint: `The sandbox must let the harness write ${TASK_COMMAND_SPOOL_DIR} (its /tmp).`,
      },
    )
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
    onError: (error) => {
      // One warning per streak: a sandbox gone for good would otherwise warn four times a second.
      if (failures++ === 0) options.logger.warn(`task commands of ${agentId}: ${errorMessage(error)}`)
    },
  }).start()
  return { agentSandbox: withCommandsOnPath(sandbox, TASK_COMMAND_BIN_DIR), stop: () => server.stop() }
}

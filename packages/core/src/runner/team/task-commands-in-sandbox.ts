import type { Logger, Sandbox, TaskList } from '@cooperbench/spec'
import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import { prepareTaskCommandsCommand, TASK_COMMAND_SPOOL_DIR, TASK_COMMANDS, TaskCommandServer, taskCommandScripts } from '@cooperbench/spec/host'

/** Where the commands are installed in every team sandbox; agents put it on their PATH (the harness also links them into `/usr/local/bin` where it may). */
export const TASK_COMMAND_BIN_DIR = `${TASK_COMMAND_SPOOL_DIR}/bin`

/** How often the harness looks for an agent's commands. */
const POLL_MS = 250

/**
 * Installs the `coop-task-*` commands in an agent's sandbox and answers them from the team's
 * list, as that agent, until the returned function is called (after the agent's run): it stops
 * the server after one last exchange, so a command issued at the very end is still answered.
 * Works in any task image: the commands are POSIX sh, the answers come through `Sandbox.exec`.
 */
export async function serveTaskCommandsIn(
  sandbox: Sandbox,
  list: TaskList,
  agentId: string,
  options: { logger: Logger; signal: AbortSignal },
): Promise<() => Promise<void>> {
  const scripts = taskCommandScripts()
  const files = new Map(TASK_COMMANDS.map((name) => [`${TASK_COMMAND_BIN_DIR}/${name}`, scripts[name]] as const))
  if (sandbox.writeFiles) await sandbox.writeFiles(files)
  else for (const [path, text] of files) await sandbox.writeFile(path, text)
  // Also on the default PATH where the image lets us (a container's root); bwrap's root is read-only and agents use the bin folder.
  const links = TASK_COMMANDS.map((name) => `ln -sf ${TASK_COMMAND_BIN_DIR}/${name} /usr/local/bin/${name} 2>/dev/null`).join('; ')
  const prepared = await sandbox.exec(`${prepareTaskCommandsCommand()} && { ${links}; true; }`, { cwd: '/', timeoutMs: 60_000, signal: options.signal })
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
    pollMs: POLL_MS,
    signal: options.signal,
    onError: (error) => {
      // One warning per streak: a sandbox gone for good would otherwise warn four times a second.
      if (failures++ === 0) options.logger.warn(`task commands of ${agentId}: ${errorMessage(error)}`)
    },
  }).start()
  return () => server.stop()
}

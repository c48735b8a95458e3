import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type CommandTool, CooperbenchError, errorMessage, type Logger, type Sandbox, SEAT_COMMAND_DIR } from '@cooperbench/spec'
import { writeSandboxFiles } from '@cooperbench/spec-utils'
import { withCommandsOnPath } from './commands-on-path.js'
import { prepareToolsCommand, TOOL_SPOOL_DIR, toolScript } from './tool-scripts.js'
import { ToolServer } from './tool-server.js'
import { hostFolderToolSpool, sandboxToolSpool } from './tool-spool.js'

/** How often the harness looks for a seat's commands through its sandbox (backing off to 2 s while none come). */
const POLL_MS = 250
/** How often it looks at a spool folder mounted from this machine (a folder read; no back-off). */
const HOST_SPOOL_POLL_MS = 100

export interface ServedTools {
  /** The sandbox as the agent gets it: the commands on the PATH of everything it runs, with the seat's variables. */
  agentSandbox: Sandbox
  /** Stops answering after one last exchange (call it when the agent's run ended). */
  stop(): Promise<void>
}

export interface ServeToolsOptions {
  agentId: string
  env: Record<string, string>
  logger: Logger
  signal: AbortSignal
  /** A host folder the sandbox mounts at `TOOL_SPOOL_DIR` (a backend with `sharedFolders`), if any. */
  hostSpoolDir: string | null
  /** Link the commands into `/usr/local/bin` too: not where the sandbox's root is the host's, read-only. */
  linkCommands: boolean
}

/**
 * Installs a seat's command tools and answers them as its agent until `stop` (whose last exchange answers a command issued at the
 * end), through `Sandbox.exec` or the spool mounted from here. Without tools: nothing installed, only the variables.
 */
export async function serveTools(
  sandbox: Sandbox,
  tools: readonly CommandTool[],
  { agentId, env, logger, signal, hostSpoolDir, linkCommands }: ServeToolsOptions,
): Promise<ServedTools> {
  if (tools.length === 0) return { agentSandbox: withCommandsOnPath(sandbox, null, env), stop: async () => {} }
  const files = new Map(tools.map((tool) => [tool.name, toolScript(TOOL_SPOOL_DIR, tool)] as const))
  // Also in /usr/local/bin where the image lets us (a container's root), for processes the harness did not start.
  const links = linkCommands ? tools.map(({ name }) => `ln -sf ${SEAT_COMMAND_DIR}/${name} /usr/local/bin/${name} 2>/dev/null`).join('; ') : ''
  const prepared = hostSpoolDir
    ? await installOnHost(hostSpoolDir, files).then(() => (links ? sandbox.exec(`${links}; true`, { cwd: '/', timeoutMs: 60_000, signal }) : null))
    : await installInSandbox(sandbox, files, links, signal)
  if (prepared && prepared.exitCode !== 0) {
    const output = (prepared.stderr || prepared.stdout).trim().slice(-500)
    throw new CooperbenchError('SANDBOX_FAILED', `could not install the commands of ${agentId}: ${output}`, {
      hint: `The sandbox must let the harness write ${TOOL_SPOOL_DIR} (its /tmp).`,
    })
  }
  let failures = 0
  const server = new ToolServer({
    sandbox,
    tools: new Map(tools.map((tool) => [tool.name, tool])),
    ...(hostSpoolDir
      ? { spool: hostFolderToolSpool(hostSpoolDir), pollMs: HOST_SPOOL_POLL_MS }
      : { spool: sandboxToolSpool(sandbox, TOOL_SPOOL_DIR, signal), pollMs: POLL_MS }),
    signal,
    onError: (error) => {
      // One warning per streak: a sandbox gone for good would otherwise warn four times a second.
      if (failures++ === 0) logger.warn(`commands of ${agentId}: ${errorMessage(error)}`)
    },
  }).start()
  return { agentSandbox: withCommandsOnPath(sandbox, SEAT_COMMAND_DIR, env), stop: () => server.stop() }
}

/** The commands written into the spool folder on this machine, as `prepareToolsCommand` lays it out. */
async function installOnHost(spool: string, files: ReadonlyMap<string, string>): Promise<void> {
  // Writable by every user: the image may run its agent as another user than the harness.
  await Promise.all(['req', 'res', 'bin'].map((dir) => mkdir(join(spool, dir), { recursive: true }).then(() => chmod(join(spool, dir), 0o777))))
  await Promise.all([...files].map(([name, text]) => writeFile(join(spool, 'bin', name), text, { mode: 0o755 })))
}

/** The commands written through the sandbox, then made executable (and linked) by one command there. */
async function installInSandbox(sandbox: Sandbox, files: ReadonlyMap<string, string>, links: string, signal: AbortSignal) {
  const paths = new Map([...files].map(([name, text]) => [`${SEAT_COMMAND_DIR}/${name}`, text] as const))
  await writeSandboxFiles(sandbox, paths)
  const prepare = prepareToolsCommand(TOOL_SPOOL_DIR, [...files.keys()])
  return sandbox.exec(`${prepare}${links ? ` && { ${links}; true; }` : ''}`, { cwd: '/', timeoutMs: 60_000, signal })
}

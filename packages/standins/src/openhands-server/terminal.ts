/**
 * Terminal: runs a command with bash in the workspace, in an emulated persistent session
 * (terminal_session.py's observation texts), and kills what the commands leave running.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { userInfo } from 'node:os'
import { CancelledError } from './run-errors.js'

const MAX_CMD_OUTPUT_SIZE = 30000

export const TIMEOUT_MESSAGE_TEMPLATE =
  'You may wait longer to see additional output by sending empty command \'\', send other commands to interact with the current process, send keys ("C-c", "C-z", "C-d") to interrupt/kill the previous command before sending your new command, or use the timeout parameter in terminal for future commands.'
export const RESET_TEXT = 'Terminal session has been reset. All previous environment variables and session state have been cleared.'
const TRUNCATE_NOTICE = '<response clipped><NOTE>Due to the max output limit, only part of the full response has been shown to you.</NOTE>'

/** sdk/utils/truncate.py maybe_truncate (without saving the full output). */
export function maybeTruncate(content: string, limit = MAX_CMD_OUTPUT_SIZE): string {
  if (content.length <= limit) return content
  const available = limit - TRUNCATE_NOTICE.length
  const head = Math.floor(available / 2) + (available % 2)
  const tail = available - head
  return content.slice(0, head) + TRUNCATE_NOTICE + (tail > 0 ? content.slice(-tail) : '')
}

export interface CommandResult {
  output: string
  exitCode: number
  timedOut: boolean
  cwd: string
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`

/** The emulated persistent shell of a conversation: working directory, saved exports, process groups. */
export interface ShellState {
  cwd: string
  readonly workingDir: string
  readonly shellStateFile: string
  /** Every command's bash, each the leader of a process group (background jobs stay in it). */
  readonly processGroups: Set<ChildProcess>
}

/** The run whose step starts the command: its abort signal, and where it keeps the running child. */
export interface RunningStep {
  readonly controller: AbortController
  child: ChildProcess | null
}

/** One command in a fresh `bash -c` that restores the previous command's exports and directory. */
export function runCommand(shell: ShellState, command: string, timeoutSeconds: number, active: RunningStep): Promise<CommandResult> {
  const state = shell.shellStateFile
  const script = [
    `if [ -f ${shellQuote(state)} ]; then . ${shellQuote(state)} >/dev/null 2>&1; fi`,
    `cd ${shellQuote(shell.cwd)} 2>/dev/null || cd ${shellQuote(shell.workingDir)}`,
    `__oh_save() { __oh_ec=$?; { export -p; printf 'cd %q\\n' "$PWD"; } > ${shellQuote(state)}.tmp 2>/dev/null && mv -f ${shellQuote(state)}.tmp ${shellQuote(state)}; printf '%s' "$PWD" >&3; exit $__oh_ec; }`,
    'trap __oh_save EXIT',
    'exec 2>&1',
    command,
  ].join('\n')
  return new Promise((resolve, reject) => {
    if (active.controller.signal.aborted) return reject(new CancelledError())
    let child: ChildProcess
    try {
      child = spawn('bash', ['-c', script], {
        cwd: existsSync(shell.cwd) ? shell.cwd : shell.workingDir,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        env: commandEnv(),
      })
    } catch (error) {
      return resolve({
        output: `bash could not be started: ${error instanceof Error ? error.message : String(error)}`,
        exitCode: 127,
        timedOut: false,
        cwd: shell.cwd,
      })
    }
    active.child = child
    shell.processGroups.add(child)
    const output: Buffer[] = []
    let cwdText = ''
    let timedOut = false
    let settled = false
    const streams = [child.stdout, child.stderr, child.stdio[3]].filter(
      (stream): stream is NonNullable<typeof stream> => stream !== null && stream !== undefined,
    )
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk))
    child.stdio[3]?.on('data', (chunk: Buffer) => (cwdText += chunk.toString('utf8')))
    const timer = setTimeout(() => {
      timedOut = true
      killProcessGroup(child)
    }, timeoutSeconds * 1000)
    const finish = (code: number | null, signalName: NodeJS.Signals | null): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (active.child === child) active.child = null
      for (const stream of streams) stream.destroy()
      if (active.controller.signal.aborted) return reject(new CancelledError())
      if (cwdText !== '' && !timedOut) shell.cwd = cwdText
      const text = Buffer.concat(output).toString('utf8').replace(/\n$/, '')
      resolve({ output: text, exitCode: code ?? (signalName ? 128 + signalNumber(signalName) : -1), timedOut, cwd: shell.cwd })
    }
    child.on('error', (error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (active.child === child) active.child = null
      resolve({ output: `bash could not be started: ${error.message}`, exitCode: 127, timedOut: false, cwd: shell.cwd })
    })
    // 'close' waits for every holder of the pipes; a job the command left in the background
    // holds them too, so after bash exits the output is only awaited briefly
    child.on('exit', (code, signalName) => setTimeout(() => finish(code, signalName), 200))
    child.on('close', (code, signalName) => finish(code, signalName))
  })
}

/** The server's environment without its session keys: the agent's commands do not get them. */
function commandEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of Object.keys(env)) if (name === 'SESSION_API_KEY' || name.startsWith('OH_SESSION_API_KEYS_')) delete env[name]
  return env
}

export function safeUsername(): string | null {
  try {
    return userInfo().username
  } catch {
    return null
  }
}

function signalNumber(name: string): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 }
  return numbers[name] ?? 0
}

/**
 * Kills what is left of a command's process group, never the group of a process that took its
 * number since the command's bash exited (backend-kit's `signalProcessGroup` rule, written out
 * here because the server runs from its own files with `ws` as its only dependency).
 */
export function killProcessGroup(child: ChildProcess | null): void {
  if (child === null || child.pid === undefined) return
  if ((child.exitCode !== null || child.signalCode !== null) && existsSync(`/proc/${child.pid}`)) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // the group is gone already
  }
}

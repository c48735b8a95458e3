import { randomBytes } from 'node:crypto'
import { type Sandbox, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { shellQuote } from '@cooperbench/spec-utils/host'

/**
 * SWE-agent's bash session (SWE-ReX's `BashSession`, an interactive bash) on the Sandbox contract's one process per command: `bash -n` first
 * (a syntax error runs nothing), then the command in the previous one's directory and exported variables, stdout and
 * stderr interleaved, stdin closed, then the state commands and the state file read back, in one sandbox call.
 * Unexported variables, functions and aliases do not carry over (in a real session they would).
 */
export class ShellSession {
  /** Starts the stdout of a command that `bash -n` refused: random, so no command prints it by chance. */
  private readonly mark = `swe-agent-syntax-${randomBytes(8).toString('hex')}`

  constructor(
    private readonly sandbox: Sandbox,
    /** Where the session keeps its environment and working directory. */
    private readonly dir: string,
    private readonly stateFile: string,
    private readonly stateCommands: readonly string[],
  ) {}

  /**
   * One command's `output` (ANSI escapes removed, SWE-ReX's `_strip_control_chars`) and exit code; `syntaxError` when
   * `bash -n` refused it; `state` (SWE-agent's `get_state`), null when it did not run.
   */
  async run(command: string, timeoutSeconds: number, signal: AbortSignal) {
    const result = await this.sandbox.exec(['bash', '-c', INTERACTIVE, 'swe-agent-session', this.script()], {
      cwd: SANDBOX_REPO_DIR,
      stdin: command,
      timeoutMs: timeoutSeconds * 1000,
      signal,
    })
    signal.throwIfAborted()
    const syntax = result.exitCode === SYNTAX_EXIT && result.stdout.startsWith(`${this.mark}\n`)
    return {
      output: syntax ? '' : stripAnsi(result.stdout),
      exitCode: result.exitCode,
      timedOut: syntax ? false : result.timedOut,
      syntaxError: syntax ? { stdout: result.stdout.slice(this.mark.length + 1), stderr: result.stderr } : null,
      state: syntax || result.timedOut ? null : stateOf(result.stderr),
    }
  }

  /** The script a command runs in, the command on stdin. */
  private script(): string {
    return [
      'exec 2>&4 4>&-',
      // Interactive, the shell ignores TERM: a timeout's TERM ends it once the command's foreground process is gone.
      "trap 'exit 143' TERM",
      'IFS= read -r -d "" cmd',
      `d=${shellQuote(this.dir)}`,
      '[ -f "$d/env" ] && . "$d/env" 2>/dev/null',
      '[ -f "$d/cwd" ] && cd "$(cat "$d/cwd")" 2>/dev/null',
      `if ! printf '%s\\n' "$cmd" | bash -n >/dev/null 2>&1; then echo ${this.mark}; printf '%s\\n' "$cmd" | bash -n; exit ${SYNTAX_EXIT} 2>/dev/null; fi`,
      'exec 3>&2 2>&1',
      'swe_agent_session_end() {',
      ...this.stateCommands.map((c) => `  { ${c}\n} >/dev/null 2>&1`),
      '  export -p > "$d/env"; pwd > "$d/cwd"',
      `  cat ${shellQuote(this.stateFile)} >&3 2>/dev/null`,
      '}',
      'trap swe_agent_session_end EXIT',
      'eval "$cmd" </dev/null',
    ].join('\n')
  }
}

const SYNTAX_EXIT = 2

/**
 * Runs the script (`$1`) in an interactive bash named `bash`, as SWE-ReX's session is (`/usr/bin/env bash` on a terminal):
 * bash's own errors then read `bash: x: command not found`, not `<name>: line 14: …`. No startup files (as before) and no
 * job control; what bash says on starting without a terminal is dropped, the script takes its stderr back from fd 4.
 * An interactive shell's `exit` says `exit` on stderr (the command's output here), as in SWE-ReX's session.
 */
const INTERACTIVE = 'exec 4>&2; exec bash --norc --noprofile +m -i -c "$1" bash 2>/dev/null'

/** SWE-ReX's `_strip_control_chars` without its `\r\n` rewrite, which only undoes what its terminal added. */
function stripAnsi(text: string): string {
  return text.replace(/\x1B[@-_][0-?]*[ -/]*[@-~]/g, '')
}

/** The state file as SWE-agent reads it: a JSON object, else no state. */
function stateOf(text: string): Record<string, unknown> {
  try {
    const state = JSON.parse(text) as unknown
    return state !== null && typeof state === 'object' && !Array.isArray(state) ? (state as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

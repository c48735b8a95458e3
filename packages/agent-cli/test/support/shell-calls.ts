import type { ShellCall } from './gold-model.js'

/** How a scripted model asks each CLI for a shell command: the CLI's own tool and its arguments. */
export const claudeCodeShell: ShellCall = (command) => ({ toolCalls: [{ name: 'Bash', arguments: { command, description: 'run a command' } }] })
// Codex answers a command still running after its yield time (10 s unless asked) with the output so
// far; asked for its longest (30 s), a command of the scripted plans ends within it.
export const codexShell: ShellCall = (cmd) => ({ toolCalls: [{ name: 'exec_command', arguments: { cmd, yield_time_ms: 30_000 } }] })
export const qwenCodeShell: ShellCall = (command) => ({ toolCalls: [{ name: 'run_shell_command', arguments: { command } }] })

import type { ShellCall } from './gold-model.js'

/** How a scripted model asks each CLI for a shell command: the CLI's own tool and its arguments. */
export const claudeCodeShell: ShellCall = (command) => ({ toolCalls: [{ name: 'Bash', arguments: { command, description: 'run a command' } }] })
export const codexShell: ShellCall = (cmd) => ({ toolCalls: [{ name: 'exec_command', arguments: { cmd } }] })
export const qwenCodeShell: ShellCall = (command) => ({ toolCalls: [{ name: 'run_shell_command', arguments: { command } }] })

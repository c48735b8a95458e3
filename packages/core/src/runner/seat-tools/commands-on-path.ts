import type { ExecOptions, Sandbox } from '@cooperbench/spec'
import { withExec } from '../sandbox-with-exec.js'

/**
 * The agent's commands find `binDir` first on PATH (a string command sets it after the login profile; an argv runs through
 * `sh -c '…; exec "$@"'`, so a CLI passes it on) and get `env` (their own variables win); the harness's use the sandbox itself.
 */
export function withCommandsOnPath(sandbox: Sandbox, binDir: string | null, env: Record<string, string> = {}): Sandbox {
  const prefix = `PATH="${binDir}:$PATH"; export PATH`
  const withEnv = (options?: ExecOptions) => (Object.keys(env).length > 0 ? { ...options, env: { ...env, ...options?.env } } : options)
  const onPath = (command: string | string[]) =>
    binDir === null ? command : typeof command === 'string' ? `${prefix}\n${command}` : ['sh', '-c', `${prefix}; exec "$@"`, 'sh', ...command]
  return withExec(sandbox, (command, options) => sandbox.exec(onPath(command), withEnv(options)))
}

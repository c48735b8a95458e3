import { isAbsolute, resolve } from 'node:path'
import { CooperbenchError, SANDBOX_REPO_DIR, type SandboxSpec } from '@cooperbench/spec'
import { sandboxLabels } from './labels.js'
import type { ResolvedContainerCliOptions } from './options.js'

/**
 * How long a sandbox's idle process sleeps: long enough for any agent run, yet a container
 * leaked by a crashed harness ends by itself one day later.
 */
export const KEEP_ALIVE_SECONDS = 24 * 60 * 60

export interface RunArgumentsInput {
  /** Container name, which is also the sandbox id. */
  name: string
  spec: SandboxSpec
  options: Pick<ResolvedContainerCliOptions, 'network' | 'memory' | 'cpus'>
  /** Labels to use instead of {@link sandboxLabels} of the spec (tests pin the owner). */
  labels?: Record<string, string>
}

/**
 * The arguments of `<cli> run` that start a sandbox: detached, an init process as PID 1 (so
 * `sleep` is reaped and stops at once), the labels, network and limits, the spec's shared
 * directories bind-mounted, and an idle `sleep` instead of the image's entrypoint (task images
 * run their tests once and exit).
 */
export function runArguments(input: RunArgumentsInput): string[] {
  const { name, spec, options } = input
  const labels = input.labels ?? sandboxLabels(spec)
  const args = ['run', '--detach', '--init', '--name', name]
  for (const key of Object.keys(labels).sort()) args.push('--label', `${key}=${labels[key]}`)
  args.push('--network', options.network)
  if (options.memory !== null) args.push('--memory', options.memory)
  if (options.cpus !== null) args.push('--cpus', String(options.cpus))
  for (const dir of spec.sharedDirs ?? []) args.push('--volume', volumeArgument(dir.hostPath, dir.sandboxPath))
  // Images come from prepareTasks or are built on demand; this backend never contacts a registry.
  args.push('--pull', 'never', '--workdir', SANDBOX_REPO_DIR, '--entrypoint', 'sleep', spec.image, String(KEEP_ALIVE_SECONDS))
  return args
}

/** `host:sandbox` for `--volume`; a colon in either path would be read as a separator, so it is refused. */
function volumeArgument(hostPath: string, sandboxPath: string): string {
  const host = resolve(hostPath)
  if (host.includes(':') || sandboxPath.includes(':') || !isAbsolute(sandboxPath)) {
    throw new CooperbenchError('SANDBOX_FAILED', `cannot mount ${hostPath} at ${sandboxPath}: both must be absolute paths without ":"`, {
      hint: 'Move the shared directory (e.g. the run folder holding the team remote) to a path without ":".',
    })
  }
  return `${host}:${sandboxPath}`
}

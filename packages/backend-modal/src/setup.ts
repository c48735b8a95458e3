import { CooperbenchError, SANDBOX_LABELS, type SetupContext, type SetupResult } from '@cooperbench/spec'
import { type CredentialEnv, findModalCredentials, missingCredentialsError } from './credentials.js'
import type { ModalBackend } from './modal-backend.js'
import type { ModalBackendOptions } from './options.js'

export interface ModalSetupInput {
  /** The backend to try, from the configured options. */
  createBackend(options: Partial<ModalBackendOptions>): Promise<ModalBackend>
  /** Where credentials are looked up; null when the backend needs none (the stand-in). */
  env: CredentialEnv | null
}

/**
 * `cooperbench config modal`: finds the credentials as Modal's tools do (one line naming the
 * variables and `modal token new` when there are none), then, unless `--skip-tests`, creates a
 * sandbox of one task image, runs a command in it and terminates it, reporting each latency.
 * Returns the options to write: the app and the environment in use.
 */
export async function setupModal(context: SetupContext, input: ModalSetupInput): Promise<SetupResult> {
  const options = context.options as ModalBackendOptions
  const findings: string[] = []
  let environment = options.environment
  if (input.env !== null) {
    const credentials = await findModalCredentials(input.env)
    if (!credentials) throw missingCredentialsError(input.env)
    findings.push(`credentials: ${credentials.from}`)
    environment ??= credentials.environment
  } else {
    findings.push('credentials: none needed (stand-in)')
  }
  findings.push(`environment: ${environment ?? "the workspace's default"}`)
  const written: Record<string, unknown> = { appName: options.appName, ...(environment ? { environment } : {}) }

  if (!context.liveTest) {
    findings.push('live test: skipped (--skip-tests)')
    return { options: written, findings }
  }
  const { task, image } = await context.task()
  const backend = await input.createBackend({ ...options, ...(environment ? { environment } : {}) })
  try {
    let started = performance.now()
    await backend.preflight()
    findings.push(`app: ${backend.options.appName} (answered in ${seconds(started)})`)
    context.report(`creating a sandbox of ${image} on Modal…`)
    started = performance.now()
    const sandbox = await backend.createSandbox(
      { task, image, role: 'smoke', labels: { [SANDBOX_LABELS.run]: 'cooperbench-config-smoke', [SANDBOX_LABELS.role]: 'smoke' } },
      context.signal,
    )
    try {
      findings.push(`sandbox: ${sandbox.id} of ${image} created in ${seconds(started)}`)
      started = performance.now()
      const head = await sandbox.exec('git rev-parse --short HEAD', { timeoutMs: 60_000, signal: context.signal })
      if (head.exitCode !== 0)
        throw new CooperbenchError('SANDBOX_FAILED', `a command in the smoke-test sandbox failed (exit ${head.exitCode}): ${head.stderr.trim()}`)
      findings.push(`exec: \`git rev-parse --short HEAD\` → ${head.stdout.trim()} in ${seconds(started)}`)
    } finally {
      started = performance.now()
      await sandbox.terminate()
      findings.push(`terminate: ${seconds(started)}`)
    }
  } finally {
    await backend.close()
  }
  return { options: written, findings }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(2)} s`
}

import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { SANDBOX_LABELS, type SetupContext, type SetupResult } from '@cooperbench/spec'
import { findGcpCredentials } from './auth.js'
import { serviceAccountText } from './batch/batch-check.js'
import type { GcpBackend } from './gcp-backend.js'
import type { GcpBackendOptions } from './options.js'

export interface GcpSetupInput {
  createBackend(options: Partial<GcpBackendOptions>): Promise<GcpBackend>
  /** Null when the backend needs no Google credentials (the stand-in). */
  env: NodeJS.ProcessEnv | null
}

/**
 * `cooperbench config gcp`: with `--skip-tests` it contacts nothing and says what it could not
 * check; otherwise it checks the credentials and project, enables the APIs, runs a one-task Batch
 * job, then a container of one task image on a new VM, reporting each latency. Returns the project
 * and zone to write.
 */
export async function setupGcp(context: SetupContext, input: GcpSetupInput): Promise<SetupResult> {
  const options = context.options as Partial<GcpBackendOptions>
  const findings: string[] = []
  const warnings: string[] = []
  const written: Record<string, unknown> = { ...(options.project ? { project: options.project } : {}), zone: options.zone }
  if (!context.liveTest) {
    if (input.env !== null) {
      const adc =
        input.env.GOOGLE_APPLICATION_CREDENTIALS ||
        join(input.env.CLOUDSDK_CONFIG || join(homedir(), '.config', 'gcloud'), 'application_default_credentials.json')
      if (existsSync(adc)) findings.push(`credentials: ${adc} exists (not checked: --skip-tests)`)
      else warnings.push(`credentials: none found at ${adc}; run \`gcloud auth application-default login\` before a run`)
      if (!options.project && !input.env.GOOGLE_CLOUD_PROJECT) warnings.push('project: not set; pass --project or set GOOGLE_CLOUD_PROJECT')
    }
    warnings.push(
      'live test: skipped (--skip-tests); nothing was contacted, so quotas, APIs (compute, batch, storage), the staging bucket and the image are unchecked',
    )
    return { options: written, findings, warnings }
  }
  if (input.env !== null) {
    const credentials = await findGcpCredentials(options.project, input.env)
    findings.push(`credentials: ${credentials.from}`, `project: ${credentials.project}`)
    written.project = credentials.project
  }
  const { task, image } = await context.task()
  const backend = await input.createBackend({ ...options, ...(written.project ? { project: written.project as string } : {}), poolSize: 1 })
  try {
    // APIs first: on a fresh project Compute answers SERVICE_DISABLED until it is enabled.
    let started = performance.now()
    const project = await backend.prepareProject()
    for (const s of project.services) findings.push(`api ${s.service}: ${s.enabled ? `was off, enabled now (${s.state.toLowerCase()})` : 'enabled'}`)
    findings.push(
      `bucket gs://${project.bucket}: ${project.bucketCreated ? `created in ${project.region}` : 'exists'} (stages Batch evaluations; ${seconds(started)} for APIs and bucket)`,
    )
    written.bucket = project.bucket
    started = performance.now()
    await backend.preflight()
    findings.push(`compute API: answered in ${seconds(started)}`)
    if (backend.options.batchEval) {
      context.report(`submitting a Batch test job of ${image} as ${serviceAccountText(backend.options)}…`)
      const batch = await backend.checkBatch(image, context.signal)
      findings.push(`batch: test job ${batch.jobId} ran as ${batch.serviceAccount} in ${batch.seconds.toFixed(2)} s`)
    }
    context.report(`creating a ${backend.options.machineType} VM in ${backend.options.zone} and a sandbox of ${image}…`)
    started = performance.now()
    const sandbox = await backend.createSandbox(
      { task, image, role: 'smoke', labels: { [SANDBOX_LABELS.run]: 'cooperbench-config-smoke', [SANDBOX_LABELS.role]: 'smoke' } },
      context.signal,
    )
    try {
      findings.push(`VM ${sandbox.vm} and sandbox ${sandbox.id} ready in ${seconds(started)}`)
      started = performance.now()
      const head = await sandbox.exec('git rev-parse --short HEAD', { timeoutMs: 60_000, signal: context.signal })
      findings.push(`exec: \`git rev-parse --short HEAD\` → ${head.stdout.trim() || `exit ${head.exitCode}`} in ${seconds(started)}`)
    } finally {
      await sandbox.terminate()
    }
  } finally {
    const started = performance.now()
    await backend.close()
    findings.push(`VM deleted in ${seconds(started)}`)
    const usage = backend.usage()
    findings.push(
      `cost: ${usage.vm_seconds} VM-seconds of ${backend.options.machineType}${usage.vm_cost_usd !== undefined ? `, about $${usage.vm_cost_usd.toFixed(4)} on demand` : ''}`,
    )
  }
  return { options: written, findings }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(2)} s`
}

import { setTimeout as sleep } from 'node:timers/promises'
import { CooperbenchError } from '@cooperbench/spec'
import type { GcpBackendOptions } from './options.js'
import { SSH_NETWORK_TAG } from './options.js'
import type { VmConnection } from './ssh.js'

/**
 * The error of an insert refused by constraints/compute.vmExternalIpAccess (CONDITION_NOT_MET,
 * the message the Kubernetes autoscaler's GCE provider matches), named; else null.
 */
export function externalIpRefusal(error: unknown): CooperbenchError | null {
  const message = error instanceof Error ? error.message : String(error)
  if (!/constraints\/compute\.vmExternalIpAccess/.test(message)) return null
  return new CooperbenchError(
    'BACKEND_UNAVAILABLE',
    `the organisation policy constraints/compute.vmExternalIpAccess forbids VMs with an external IP: ${message.split('\n')[0]}`,
    {
      hint:
        'Set backends.gcp.externalIp: false and run cooperbench from a machine inside the VPC (SSH then goes to internal IPs, e.g. over Cloud VPN or IAP), ' +
        'or ask an organisation admin to allow external IPs for this project.',
      cause: error,
    },
  )
}

/** The likely causes of a VM that could not be made usable: unreachable over SSH, or refused by Compute. */
export function vmFailureHint(error: unknown, options: GcpBackendOptions): string {
  const message = error instanceof Error ? error.message : String(error)
  if (/^no SSH connection/.test(message)) {
    const network = options.network.split('/').at(-1)
    return (
      `The VM was created but SSH never answered. Likely: no firewall rule lets tcp:${options.sshPort} in to VMs tagged ${SSH_NETWORK_TAG} on network ${network}` +
      `${options.sshFirewall ? '' : ' (sshFirewall is off)'}; OS Login enforced by the organisation (constraints/compute.requireOsLogin), which ignores the ` +
      `run's metadata key${options.externalIp ? '' : '; an internal address this machine cannot reach (externalIp is off)'}; or an image without sshd ` +
      `(${options.sourceImage}).`
    )
  }
  if (/Docker/.test(message)) return `The image ${options.sourceImage} must run Docker for the SSH user ${options.sshUser} (Container-Optimized OS does).`
  return `Check the zone's quota (${options.machineType} in ${options.zone}) and the image ${options.sourceImage}; the pair is retried by a rerun.`
}

/** After SSH answers, Docker may still be starting (Container-Optimized OS starts it late): waits until `docker info` succeeds. */
export async function waitForDocker(connection: VmConnection, vm: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    signal?.throwIfAborted()
    const err: Buffer[] = []
    const result = await connection.run('docker info --format "{{.ServerVersion}}" >/dev/null', { onStderr: (c) => err.push(c) })
    if (result.code === 0) return
    last = Buffer.concat(err).toString('utf8').trim().split('\n').at(-1) ?? `exit ${result.code}`
    if (Date.now() > deadline) throw new Error(`VM ${vm} answers SSH but its Docker did not within ${Math.round(timeoutMs / 1000)} s: ${last}`)
    await sleep(1000)
  }
}

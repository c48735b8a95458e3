import { randomBytes } from 'node:crypto'
import { SANDBOX_LABELS, type SandboxSpec } from '@cooperbench/spec'

/** A new container's name and sandbox id: `cooperbench-<run>-<role>-<8 hex>`, in what Docker and Podman accept. */
export function containerName(spec: SandboxSpec): string {
  const run = nameSafe(spec.labels[SANDBOX_LABELS.run] ?? '', 40)
  const role = nameSafe(spec.role, 20) || 'sandbox'
  return ['cooperbench', run, role, randomBytes(4).toString('hex')].filter(Boolean).join('-')
}

/** `text` cut to `max` characters a container name takes, without separators at either end. */
function nameSafe(text: string, max: number): string {
  const kept = text
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .slice(0, max)
  return kept.replace(/^[-_.]+/, '').replace(/[-_.]+$/, '')
}

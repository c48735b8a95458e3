/**
 * Compute Engine on-demand prices per vCPU-hour and GB-hour, us-central1, Linux, from
 * https://cloud.google.com/compute/vm-instance-pricing. Other regions cost up to a third more;
 * Spot VMs typically 60–91% less (an upper bound, then). Disks and network are not counted.
 */
export const PRICE_SOURCE = 'cloud.google.com/compute/vm-instance-pricing, us-central1 on-demand'

const FAMILY_RATES: Record<string, { vcpuHour: number; gbHour: number }> = {
  e2: { vcpuHour: 0.021811, gbHour: 0.002923 },
  n1: { vcpuHour: 0.031611, gbHour: 0.004237 },
  n2: { vcpuHour: 0.031611, gbHour: 0.004237 },
  n2d: { vcpuHour: 0.027502, gbHour: 0.003686 },
  c2: { vcpuHour: 0.03398, gbHour: 0.00455 },
  c2d: { vcpuHour: 0.029563, gbHour: 0.003959 },
  t2d: { vcpuHour: 0.027502, gbHour: 0.003686 },
}

/** Memory per vCPU (GB) of each predefined shape; N1's shapes differ from the later families'. */
const SHAPE_GB_PER_VCPU: Record<string, number> = { standard: 4, highmem: 8, highcpu: 1 }
const N1_SHAPE_GB_PER_VCPU: Record<string, number> = { standard: 3.75, highmem: 6.5, highcpu: 0.9 }

/** Hourly on-demand price of a predefined machine type (`e2-standard-8`), or null when unknown. */
export function hourlyPrice(machineType: string): number | null {
  const m = /^([a-z0-9]+)-(standard|highmem|highcpu)-(\d+)$/.exec(machineType)
  if (!m) return null
  const [, family, shape, cpus] = m as unknown as [string, string, string, string]
  const rates = FAMILY_RATES[family]
  const gbPerVcpu = (family === 'n1' ? N1_SHAPE_GB_PER_VCPU : SHAPE_GB_PER_VCPU)[shape]
  if (!rates || gbPerVcpu === undefined) return null
  const vcpus = Number(cpus)
  return vcpus * rates.vcpuHour + vcpus * gbPerVcpu * rates.gbHour
}

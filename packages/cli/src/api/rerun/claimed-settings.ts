import { type ConfigFlags, diffFingerprints, readAgentConfig, REDACTED } from '@cooperbench/config'
import { isObject } from '@cooperbench/results'
import { type StoredRunConfig, storedFingerprint } from '@cooperbench/report'
import { CooperbenchError, UNNAMED_EVALUATION_POLICY } from '@cooperbench/spec'

/** Placeholders a bundle puts where a secret or a path of its author's machine was (`exportScrubber`). */
const SCRUBBED = /\[redacted\]|<(host_path|log_dir|dataset_dir|cwd|home|sandbox_root)>/

/**
 * Fingerprint fields that are the verifier's, not the claim's: where the model is served and the
 * sandboxes run, and the versions installed here.
 */
const VERIFIERS_OWN = ['model_base_url', 'backend', 'image', 'bus', 'harness_version', 'plugins', 'agent_release']

/** The claim's keys a rerun takes from a bundled config.json; every other key is the verifier's (folders, backend, bus, server, keys). */
export type ClaimedSettings = Pick<
  ConfigFlags,
  | 'setting'
  | 'agent'
  | 'modelName'
  | 'messagingEnabled'
  | 'gitEnabled'
  | 'stepLimit'
  | 'costLimit'
  | 'agentTimeoutSeconds'
  | 'policy'
  | 'seats'
  | 'agents'
  | 'settings'
  | 'agentConfig'
>

/**
 * What a rerun of a bundled run's `setting` pairs runs with: who and how from the claim (the
 * setting's fingerprint: agent, model, seats, messaging, git, limits, policy), the agents' and
 * settings' options from the configuration config.json records, less what the bundle scrubbed
 * (a secret, a path of the author's machine), which the verifier's own layers give instead. An
 * `--agent-config` file is claimed by its digest only: `agentConfig`, the verifier's copy, must
 * have it.
 */
export async function claimedSettings(stored: StoredRunConfig | null, setting: string, run: string, agentConfig?: string): Promise<ClaimedSettings> {
  const claim = storedFingerprint(stored, setting)?.value
  if (claim === undefined) {
    throw new CooperbenchError('BUNDLE_INVALID', `run "${run}" records no fingerprint of its ${setting} pairs: what to rerun them with is unknown`, {
      hint: 'Bundles of this version of cooperbench claim each setting of a run: bundle the run again.',
    })
  }
  const recorded = isObject(stored?.config) ? stored.config : {}
  const limits = isObject(claim['limits']) ? claim['limits'] : {}
  const seats = isObject(claim['seats']) ? claim['seats'] : {}
  return {
    setting,
    agent: claim['agent'] as string,
    // An agent that calls no model (the oracle) claims none: the default stands, unused.
    ...(typeof claim['model'] === 'string' ? { modelName: claim['model'] } : {}),
    messagingEnabled: claim['messaging_enabled'] === true,
    gitEnabled: claim['git_enabled'] === true,
    stepLimit: limits['step_limit'] as number,
    costLimit: limits['cost_limit'] as number,
    agentTimeoutSeconds: (limits['agent_timeout_seconds'] as number | null) ?? null,
    // Absent from a fingerprint, the policy is the one runs were judged by before it was named.
    policy: (claim['evaluation_policy'] as ConfigFlags['policy']) ?? UNNAMED_EVALUATION_POLICY,
    seats: Object.fromEntries(
      Object.entries(seats).map(([role, seat]) => {
        const { agent, model } = seat as { agent: string; model: string | null }
        return [role, model === null ? { agent } : { agent, model }]
      }),
    ),
    agents: withoutScrubbed(recorded['agents'] ?? {}) as ConfigFlags['agents'],
    settings: withoutScrubbed(recorded['settings'] ?? {}) as ConfigFlags['settings'],
    ...(await claimedAgentConfig(claim['agent_config_digest'], run, agentConfig)),
  }
}

/** The verifier's `--agent-config` file when the claim has one, refused unless its digest is the claim's. */
async function claimedAgentConfig(digest: unknown, run: string, file: string | undefined): Promise<Pick<ClaimedSettings, 'agentConfig'>> {
  if (typeof digest !== 'string') return {}
  const hint = `The bundle holds the file's digest, not the file: give the author's file with --agent-config (sha256 ${digest}).`
  if (file === undefined) throw new CooperbenchError('USAGE', `run "${run}" was made with an agent config file, and no --agent-config names it`, { hint })
  const given = await readAgentConfig(file)
  if (given.digest !== digest) throw new CooperbenchError('USAGE', `--agent-config ${file} digests ${given.digest}, run "${run}" claims ${digest}`, { hint })
  return { agentConfig: file }
}

/** A copy without the values a bundle scrubbed, so lower layers (the verifier's config, env) give them. */
export function withoutScrubbed(value: unknown): unknown {
  if (typeof value === 'string') return SCRUBBED.test(value) || value === REDACTED ? undefined : value
  if (Array.isArray(value)) return value.some((item) => withoutScrubbed(item) === undefined) ? undefined : value
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, item]) => [key, withoutScrubbed(item)] as const)
        .filter(([, item]) => item !== undefined),
    )
  return value
}

/**
 * How a rerun's fingerprint differs from the claimed one, besides the verifier's own fields (one
 * line a field, `limits.step_limit: 40 → 100`): a rerun that differs is not one of the claim.
 */
export function claimDifferences(claimed: Record<string, unknown>, rerun: Record<string, unknown>): string[] {
  const claimOnly = (fingerprint: Record<string, unknown>) => Object.fromEntries(Object.entries(fingerprint).filter(([key]) => !VERIFIERS_OWN.includes(key)))
  return diffFingerprints(claimOnly(claimed), claimOnly(rerun))
}

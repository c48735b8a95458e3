import { type AgentLimits, CooperbenchError } from '@cooperbench/spec'
import { limitsOfOptions } from '@cooperbench/spec-utils'
import { isReferenceFormat, type ReferenceProtocol, readReferenceProtocol } from '../reference/config.js'
import { referenceVersionOption } from '../reference/reference-version.js'
import { DEFAULT_OPTIONS, type MiniSweAgentOptions, parseOptions } from './options.js'

/** What an agent's options say. */
export interface AgentConfig {
  options: MiniSweAgentOptions
  /** A reference-format configuration: the run follows the reference's protocol; null: profile `cooperbench-v1`. */
  reference: ReferenceProtocol | null
  /** The limits these options ask for (0 = none; absent: the run's default): the reference file's, else our options'. The run's explicit limits win over them. */
  ownLimits: Partial<Pick<AgentLimits, 'steps' | 'costUsd'>>
  /** The model's endpoint: our option, else the reference file's `api_base`; null: the provider's. */
  baseUrl: string | null
}

/** Configurations read, by options object and base: a run hands the same object to every hook and agent, so each is read once. */
const read = new WeakMap<Record<string, unknown>, WeakMap<MiniSweAgentOptions, AgentConfig>>()

/** Reads `raw` (validated by the host) over `base`: our options, and the reference's configuration when it is one. */
export function readAgentConfig(raw: Record<string, unknown>, base: MiniSweAgentOptions = DEFAULT_OPTIONS): AgentConfig {
  const byBase = read.get(raw) ?? new WeakMap<MiniSweAgentOptions, AgentConfig>()
  read.set(raw, byBase)
  const known = byBase.get(base)
  if (known) return known
  const options = parseOptions(raw, base)
  const reference = isReferenceFormat(raw) ? readReferenceProtocol(raw) : null
  if (!reference && referenceVersionOption(raw) !== undefined) {
    // Our own profile follows no upstream release: the option would be silently without effect.
    throw new CooperbenchError('CONFIG_INVALID', "reference_version applies to the reference's configuration format only", {
      hint: "Pass upstream's coop.yaml or solo.yaml with --agent-config (docs/reproducing-the-paper.md), or drop the option.",
    })
  }
  const config = {
    options,
    reference,
    ownLimits: limitsOfOptions(reference?.limits ?? options),
    baseUrl: options.model.base_url ?? reference?.modelKwargs.apiBase ?? null,
  }
  byBase.set(base, config)
  // The agent made from these options reads its runs' options over them: the same configuration.
  byBase.set(options, config)
  return config
}

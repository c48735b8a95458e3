import { CooperbenchError } from '@cooperbench/spec'
import { optionLayers } from '../agent/options.js'

/**
 * The upstream release a reference-mode run follows (issue 73). Releases after 0.0.14 changed what
 * the agent sees without changing the configuration files' format, so a 0.0.14-shaped file cannot
 * say which one it was run with: the user says so with option `reference_version`. Only the
 * releases whose agent-visible changes are followed are offered (docs/reproducing-the-paper.md).
 */
export type ReferenceVersion = '0.0.12–0.0.13' | '0.0.14' | '0.0.25' | '0.0.26' | '0.0.27' | '0.0.28'

/** The values option `reference_version` accepts (0.0.26 changed the prompt only: 0.0.25's behaviour). */
export const REFERENCE_VERSIONS = ['0.0.12', '0.0.13', '0.0.14', '0.0.25', '0.0.26', '0.0.27', '0.0.28'] as const

/** The release a behaviour first appeared in; every later choice has it too. */
export function followsAtLeast(version: ReferenceVersion, release: '0.0.25' | '0.0.27' | '0.0.28'): boolean {
  return patchNumber(version) >= patchNumber(release)
}

/**
 * The version a run follows: the file's own (told by its submit command), or the one option
 * `reference_version` names (the `config:` block's, the rest of the options' over it). CONFIG_INVALID
 * for an unknown value, one below the file's own, or a later one with a 0.0.12–0.0.13 file (whose
 * submission rule no later release evaluates).
 */
export function chosenReferenceVersion(raw: unknown, fileVersion: '0.0.12–0.0.13' | '0.0.14'): ReferenceVersion {
  const chosen = referenceVersionOption(raw)
  if (chosen === undefined) return fileVersion
  if (!(REFERENCE_VERSIONS as readonly unknown[]).includes(chosen)) {
    throw new CooperbenchError('CONFIG_INVALID', `reference_version ${JSON.stringify(chosen)} is not a version the reference mode follows`, {
      hint: `Accepted: ${REFERENCE_VERSIONS.join(', ')} (default: the file's own, 0.0.14 for a 0.0.14-shaped file); see docs/reproducing-the-paper.md.`,
    })
  }
  const version = chosen as (typeof REFERENCE_VERSIONS)[number]
  if (fileVersion === '0.0.12–0.0.13') {
    if (version === '0.0.12' || version === '0.0.13') return fileVersion
    throw new CooperbenchError('CONFIG_INVALID', `reference_version ${version} cannot run a 0.0.12–0.0.13 configuration file`, {
      hint: "Its submit command (`… && cat patch.txt`) is the 0.0.12–0.0.13 protocol, which later releases do not evaluate: use 0.0.14's coop.yaml or solo.yaml for reference_version 0.0.14 and later, or drop the option.",
    })
  }
  if (patchNumber(version) < patchNumber(fileVersion)) {
    throw new CooperbenchError('CONFIG_INVALID', `reference_version ${version} is older than the configuration file (0.0.14: its templates submit patch.txt)`, {
      hint: `Accepted for this file: ${REFERENCE_VERSIONS.filter((v) => patchNumber(v) >= 14).join(', ')}.`,
    })
  }
  // 0.0.12 and 0.0.13 were refused above: what is left is a version of its own.
  return version as ReferenceVersion
}

/** The option as the user wrote it, or undefined. */
export function referenceVersionOption(raw: unknown): unknown {
  let chosen: unknown
  for (const layer of optionLayers(raw)) if (layer['reference_version'] !== undefined) chosen = layer['reference_version']
  return chosen
}

/** The release number after `0.0.` (`0.0.12–0.0.13` counts as 12, the lowest it stands for). */
function patchNumber(version: string): number {
  return Number(/^0\.0\.(\d+)/.exec(version)?.[1] ?? Number.NaN)
}

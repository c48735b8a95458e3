import { CooperbenchError } from '@cooperbench/spec'
import { optionLayers } from '../agent/options.js'

/**
 * The upstream release a reference-mode run follows (issue 73). Releases after 0.0.14 changed what
 * the agent sees without changing the configuration files' format, so a file cannot say which one
 * it was run with: the user says so with option `reference_version`. Only the releases whose
 * agent-visible changes are followed are offered (docs/reproducing-the-paper.md).
 */
export type ReferenceVersion = '0.0.12–0.0.13' | '0.0.14' | '0.0.22' | '0.0.23' | '0.0.24' | '0.0.25' | '0.0.26' | '0.0.27' | '0.0.28'

/** The values option `reference_version` accepts (0.0.26 changed the prompt only: 0.0.25's behaviour). */
export const REFERENCE_VERSIONS = ['0.0.12', '0.0.13', '0.0.14', '0.0.22', '0.0.23', '0.0.24', '0.0.25', '0.0.26', '0.0.27', '0.0.28'] as const

/** The first release that submits through a pull request (upstream's CHANGELOG 0.0.23): what its files ask for. */
export const PULL_REQUEST_RELEASE = '0.0.23'

/**
 * How a file's templates submit, which tells the releases it can run under: 0.0.12–0.0.13's `… && cat patch.txt`,
 * 0.0.14's `patch.txt` (through 0.0.22), or a pull request (`gh pr create`, 0.0.23 on).
 */
export type FileProtocol = '0.0.12–0.0.13' | '0.0.14' | 'pull-request'

/** The release a behaviour first appeared in; every later choice has it too. */
export function followsAtLeast(version: ReferenceVersion, release: '0.0.22' | '0.0.23' | '0.0.24' | '0.0.25' | '0.0.27' | '0.0.28'): boolean {
  return patchNumber(version) >= patchNumber(release)
}

/**
 * The version a run follows: the file's own (told by how it submits), or the one option `reference_version` names (the
 * `config:` block's, the rest of the options' over it). CONFIG_INVALID for an unknown value, and for a version whose
 * submission the file's templates do not ask for: a 0.0.12–0.0.13 file with any later one, a `patch.txt` file with 0.0.23
 * or later (upstream then judges a pull request), a pull-request file without a version of 0.0.23 or later.
 */
export function chosenReferenceVersion(raw: unknown, file: FileProtocol): ReferenceVersion {
  const chosen = referenceVersionOption(raw)
  if (chosen === undefined) {
    if (file !== 'pull-request') return file
    throw new CooperbenchError(
      'CONFIG_INVALID',
      'the agent config submits through a pull request (`gh pr create`), which upstream does from 0.0.23 on, and says no release',
      {
        hint: `Add reference_version with the release the file is from (${laterThan(PULL_REQUEST_RELEASE)}); see docs/reproducing-the-paper.md#choosing-the-reference-version.`,
      },
    )
  }
  if (!(REFERENCE_VERSIONS as readonly unknown[]).includes(chosen)) {
    throw new CooperbenchError('CONFIG_INVALID', `reference_version ${JSON.stringify(chosen)} is not a version the reference mode follows`, {
      hint: `Accepted: ${REFERENCE_VERSIONS.join(', ')} (default: the file's own, 0.0.14 for a 0.0.14-shaped file); see docs/reproducing-the-paper.md.`,
    })
  }
  const version = chosen as (typeof REFERENCE_VERSIONS)[number]
  if (file === '0.0.12–0.0.13') {
    if (version === '0.0.12' || version === '0.0.13') return file
    throw new CooperbenchError('CONFIG_INVALID', `reference_version ${version} cannot run a 0.0.12–0.0.13 configuration file`, {
      hint: "Its submit command (`… && cat patch.txt`) is the 0.0.12–0.0.13 protocol, which later releases do not evaluate: use 0.0.14's coop.yaml or solo.yaml for reference_version 0.0.14 and later, or drop the option.",
    })
  }
  if (file === 'pull-request') {
    if (patchNumber(version) >= patchNumber(PULL_REQUEST_RELEASE)) return version as ReferenceVersion
    throw new CooperbenchError('CONFIG_INVALID', `reference_version ${version} cannot run a configuration file that submits through a pull request`, {
      hint: `Upstream submits through \`gh pr create\` from 0.0.23 on: accepted for this file: ${laterThan(PULL_REQUEST_RELEASE)}.`,
    })
  }
  if (patchNumber(version) < patchNumber(file)) {
    throw new CooperbenchError('CONFIG_INVALID', `reference_version ${version} is older than the configuration file (0.0.14: its templates submit patch.txt)`, {
      hint: `Accepted for this file: ${acceptedForPatchFile().join(', ')}.`,
    })
  }
  if (patchNumber(version) >= patchNumber(PULL_REQUEST_RELEASE)) {
    throw new CooperbenchError(
      'CONFIG_INVALID',
      `reference_version ${version} judges a pull request, but the configuration file's templates ask for patch.txt (0.0.14–0.0.22's submission)`,
      {
        hint:
          'From 0.0.23 on upstream evaluates the branch of the pull request each agent opens (`gh pr create`), never patch.txt, so ' +
          `agents told to write patch.txt would be scored on nothing. Use that release's own coop.yaml or solo.yaml, or one of ${acceptedForPatchFile().join(', ')} with this file.`,
      },
    )
  }
  return version as ReferenceVersion
}

/** The option as the user wrote it, or undefined. */
export function referenceVersionOption(raw: unknown): unknown {
  let chosen: unknown
  for (const layer of optionLayers(raw)) if (layer['reference_version'] !== undefined) chosen = layer['reference_version']
  return chosen
}

/** The versions a `patch.txt` (0.0.14-shaped) file runs under. */
function acceptedForPatchFile(): string[] {
  return REFERENCE_VERSIONS.filter((v) => patchNumber(v) >= 14 && patchNumber(v) < patchNumber(PULL_REQUEST_RELEASE))
}

/** The accepted versions from `release` on, listed. */
function laterThan(release: string): string {
  return REFERENCE_VERSIONS.filter((v) => patchNumber(v) >= patchNumber(release)).join(', ')
}

/** The release number after `0.0.` (`0.0.12–0.0.13` counts as 12, the lowest it stands for). */
function patchNumber(version: string): number {
  return Number(/^0\.0\.(\d+)/.exec(version)?.[1] ?? Number.NaN)
}

import {
  applyFunctions,
  branchFunction,
  branchStep,
  checkoutBaseStep,
  chooseSoloVariantStep,
  doneStep,
  joinScript,
  mergedDiffStep,
  naiveMergeStep,
  reportPatchFilesStep,
  resolveBaseStep,
  scriptPrelude,
  unionMergeStep,
} from './shell.js'

/** Names of the files the evaluator writes to `/patches`. */
export const PATCH_FILES = {
  agent1: 'patch1.patch',
  agent2: 'patch2.patch',
  agent1Repaired: 'patch1.repaired.patch',
  agent2Repaired: 'patch2.repaired.patch',
  solo: 'solo.patch',
  soloRepaired: 'solo.repaired.patch',
  tests1: 'tests1.patch',
  tests2: 'tests2.patch',
  merged: 'merged.patch',
} as const

export interface CoopSetupSpec {
  /** Every file written to `/patches`, to be reported back for verification. */
  files: readonly string[]
  /** Whether a quote-repaired variant was written for agent1 / agent2. */
  repaired: { agent1: boolean; agent2: boolean }
}

/**
 * The whole coop preparation in one command (docs/reference-compatibility.md#evaluation): report the
 * written files, resolve BASE, build branches `agent1`/`agent2`, naive merge, union fallback,
 * merged diff. Ends with `setup=done` when it ran to the end.
 */
export function buildCoopSetupScript(spec: CoopSetupSpec): string {
  return joinScript(
    scriptPrelude(),
    reportPatchFilesStep(spec.files),
    resolveBaseStep(),
    applyFunctions(),
    branchFunction(),
    checkoutBaseStep(),
    branchStep({
      branch: 'agent1',
      patch: PATCH_FILES.agent1,
      repaired: spec.repaired.agent1 ? PATCH_FILES.agent1Repaired : undefined,
      message: 'Agent 1 changes',
    }),
    branchStep({
      branch: 'agent2',
      patch: PATCH_FILES.agent2,
      repaired: spec.repaired.agent2 ? PATCH_FILES.agent2Repaired : undefined,
      message: 'Agent 2 changes',
    }),
    naiveMergeStep(),
    unionMergeStep(),
    mergedDiffStep(),
    doneStep(),
  )
}

export interface SoloSetupSpec {
  files: readonly string[]
  repaired: boolean
}

/** Solo preparation (docs/reference-compatibility.md#evaluation): report files, resolve BASE, pick the patch variant. */
export function buildSoloSetupScript(spec: SoloSetupSpec): string {
  return joinScript(
    scriptPrelude(),
    reportPatchFilesStep(spec.files),
    resolveBaseStep(),
    applyFunctions(),
    spec.repaired ? checkoutBaseStep() : '',
    chooseSoloVariantStep(PATCH_FILES.solo, spec.repaired ? PATCH_FILES.soloRepaired : undefined),
    doneStep(),
  )
}

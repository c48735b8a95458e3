import type { EvaluationPolicy } from '@cooperbench/spec'
import {
  applyFunctions,
  branchFunction,
  branchStep,
  checkoutBaseStep,
  checkTestsPatchesStep,
  chooseSoloVariantStep,
  clearStaleLocksStep,
  refreshIndexStep,
  doneStep,
  foldIntoLeadStep,
  identicalPatchesStep,
  joinScript,
  leadFallbackStep,
  mergedDiffStep,
  naiveMergeStep,
  reportPatchFilesStep,
  resolveBaseStep,
  scriptPrelude,
  unionMergeStep,
} from './shell.js'

/** Names of the files the evaluator writes to `/patches`. */
export const PATCH_FILES = {
  solo: 'solo.patch',
  /** A patch's quote-repaired variant (`solo.repaired.patch`). */
  repaired: (name: string) => name.replace(/\.patch$/, '.repaired.patch'),
  merged: 'merged.patch',
  /** Agent `n`'s patch (1-based, in feature order), and its quote-repaired variant. */
  agent: (n: number) => `patch${n}.patch`,
  agentRepaired: (n: number) => PATCH_FILES.repaired(PATCH_FILES.agent(n)),
  /** The hidden tests of the pair's `n`th feature. */
  tests: (n: number) => `tests${n}.patch`,
} as const

/** The branch of agent `n` (1-based): `agent1`, `agent2`, … */
export function agentBranch(n: number): string {
  return `agent${n}`
}

export interface CoopSetupSpec {
  /** Every file written to `/patches`, to be reported back for verification. */
  files: readonly string[]
  /** Per agent, in feature order: whether a quote-repaired variant was written. */
  repaired: readonly boolean[]
  /** How the branches become the tested tree; absent: `cooperbench-0.0.14`'s naive-then-union. */
  policy?: EvaluationPolicy
}

/**
 * The coop preparation in one command (docs/reference-compatibility.md#evaluation): the written files, BASE, then for
 * `cooperbench-0.0.14` a branch per agent, naive merge, union fallback; for `cooperbench-0.0.16` identical patches once, else the
 * branches, a naive merge (more than two: folded into agent1's), on failure agent1's patch alone. Then the merged diff, `setup=done`.
 */
export function buildCoopSetupScript(spec: CoopSetupSpec): string {
  const branches = spec.repaired.map((_, i) => agentBranch(i + 1))
  const branchSteps = spec.repaired.map((repaired, i) =>
    joinScript(
      branchStep({
        branch: branches[i]!,
        patch: PATCH_FILES.agent(i + 1),
        repaired: repaired ? PATCH_FILES.agentRepaired(i + 1) : undefined,
        message: `Agent ${i + 1} changes`,
      }),
      // What agent1's branch got: the lead's patch, should the merge fail (0.0.16).
      i === 0 ? 'cb_lead_status=$cb_last_status; cb_lead_file=$cb_last_file' : '',
    ),
  )
  const start = [
    scriptPrelude(),
    reportPatchFilesStep(spec.files),
    resolveBaseStep(),
    checkTestsPatchesStep(testsPatchesOf(spec.files)),
    applyFunctions(),
    branchFunction(),
    // Each branch is checked out from BASE with a clean tree by `cb_branch`.
    clearStaleLocksStep(),
    refreshIndexStep(),
  ]
  if (spec.policy !== 'cooperbench-0.0.16') {
    return joinScript(...start, ...branchSteps, naiveMergeStep(branches), unionMergeStep(branches), mergedDiffStep(), doneStep())
  }
  const pair = branches.length === 2
  return joinScript(
    ...start,
    identicalPatchesStep(
      branches.map((_, i) => PATCH_FILES.agent(i + 1)),
      spec.repaired[0] ? PATCH_FILES.agentRepaired(1) : undefined,
    ),
    'if [ "$IDENTICAL" = no ]; then',
    ...branchSteps,
    pair ? naiveMergeStep(branches) : foldIntoLeadStep(branches),
    leadFallbackStep(pair ? 'naive' : 'sequential-fold'),
    'fi',
    'cb_mark strategy "$STRATEGY"',
    mergedDiffStep(),
    doneStep(),
  )
}

export interface SoloSetupSpec {
  files: readonly string[]
  /** The patch tested against every feature, as staged (`solo.patch`). */
  patch: string
  repaired: boolean
}

/** Solo preparation (docs/reference-compatibility.md#evaluation): report files, resolve BASE, pick the patch variant. */
export function buildSoloSetupScript(spec: SoloSetupSpec): string {
  return joinScript(
    scriptPrelude(),
    reportPatchFilesStep(spec.files),
    resolveBaseStep(),
    checkTestsPatchesStep(testsPatchesOf(spec.files)),
    applyFunctions(),
    spec.repaired ? checkoutBaseStep() : '',
    chooseSoloVariantStep(spec.patch, spec.repaired ? PATCH_FILES.repaired(spec.patch) : undefined),
    doneStep(),
  )
}

/** The hidden tests patches among the written files, in feature order. */
function testsPatchesOf(files: readonly string[]): string[] {
  return files.filter((name) => /^tests\d+\.patch$/.test(name)).sort((a, b) => testsIndexOf(a) - testsIndexOf(b))
}

/** `tests3.patch` → 3: the feature's place in the pair. */
export function testsIndexOf(name: string): number {
  return Number(/^tests(\d+)\.patch$/.exec(name)?.[1] ?? Number.NaN)
}

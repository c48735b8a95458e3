import { errorMessage, type Sandbox } from '@cooperbench/spec'
import { splitPatch } from '@cooperbench/spec-utils/patch'

/** The hand-off's regression guard (CooperAgents report's C1): each agent leaves a check here, later ones keep it passing, grading strips it. */
export const CHECKS_DIR = '.cb_checks'

/** The check file of a feature, relative to the repository. */
export const checkFile = (featureId: number) => `${CHECKS_DIR}/f${featureId}.sh`

/** What the harness found in a seat's sandbox after its agent. */
export interface GuardReport {
  /** By check name (`f1`): whether `bash .cb_checks/f1.sh` exited 0 on the seat's final tree. */
  checks: Record<string, 'passed' | 'failed'>
  /** Why the checks could not be run. */
  error?: string
}

// A check that hangs fails (exit 124) instead of holding the pair; its stdin is closed so it cannot wait for input.
const RUN_CHECKS = `cd /workspace/repo
for f in ${CHECKS_DIR}/f*.sh; do [ -f "$f" ] || continue; timeout 300 bash "$f" >/dev/null 2>&1 </dev/null; echo "check $f $?"; done`

/** Runs every check in the seat's final tree (its patch is already taken). */
export async function runGuard(sandbox: Sandbox, signal: AbortSignal): Promise<GuardReport> {
  const ran = await sandbox.exec(RUN_CHECKS, { timeoutMs: 1_800_000, signal }).catch((error: unknown) => {
    if (signal.aborted) throw error
    return { exitCode: -1, stdout: '', stderr: errorMessage(error) }
  })
  if (ran.exitCode !== 0) return { checks: {}, error: (ran.stderr || ran.stdout).trim().slice(-500) }
  const checks: GuardReport['checks'] = {}
  for (const [, name, code] of ran.stdout.matchAll(/^check \.cb_checks\/(f\d+)\.sh (\d+)$/gm)) checks[name!] = code === '0' ? 'passed' : 'failed'
  return { checks }
}

/** One side of a hand-off: the agent, the patch it handed on or ended with, what the guard found after it (undefined: nothing ran). */
export interface HandoffSide {
  agent: string
  patch: string
  report: GuardReport | undefined
}

/**
 * Checks passing when handed over, which the next agent kept or broke, and the handed-on files whose changes it altered (both patches
 * are against the base: a section differs exactly when it did).
 */
export function handoffRecord(from: HandoffSide, to: HandoffSide) {
  const handed = Object.keys(from.report?.checks ?? {}).filter((name) => from.report!.checks[name] === 'passed')
  const after = to.report
  const sections = (patch: string) => new Map(splitPatch(patch).map((s) => [s.newPath ?? s.oldPath ?? '', s.text]))
  const [earlier, final] = [sections(from.patch), sections(to.patch)]
  const changed = [...earlier.keys()].filter((path) => path !== '' && !path.startsWith(`${CHECKS_DIR}/`) && final.get(path) !== earlier.get(path))
  // The checks ran on the next agent's tree: only then did it keep or break them.
  const ran = after !== undefined && after.error === undefined
  return {
    from: from.agent,
    to: to.agent,
    handed,
    kept: ran ? handed.filter((name) => after.checks[name] === 'passed') : [],
    broke: ran ? handed.filter((name) => after.checks[name] !== 'passed') : [],
    earlier_files_changed: after === undefined ? [] : changed,
    ...(ran ? {} : { guard_error: after?.error ?? `no checks were run after ${to.agent}` }),
  }
}

/** The patch without the checks' sections: what the grader sees. */
export function withoutChecks(patch: string): string {
  const isCheck = (path: string | null) => path?.startsWith(`${CHECKS_DIR}/`) === true
  return splitPatch(patch)
    .filter((section) => !isCheck(section.oldPath) && !isCheck(section.newPath))
    .map((section) => section.text)
    .join('')
}

import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Agent, type AgentResult, type AgentRunContext, errorMessage } from '@cooperbench/spec'
import { emptyAgentResult, writeSandboxFiles } from '@cooperbench/spec-utils'
import { filterTestFiles, patchPaths } from '@cooperbench/spec-utils/patch'

const WORK = '/tmp/cooperbench-oracle'
/** Ends each patch's part of the apply command's output: `::cb-applied:: <exit status>`. */
const APPLIED_MARK = '::cb-applied::'

/** What the oracle did, as the messages it records. */
type Transcript = Array<{ role: string; content: string }>

/**
 * Applies gold patches, validating a dataset and the pipeline without a model. Coop: its own `feature.patch`. Solo: both in turn when
 * they apply together, else `combined.patch` without test files (the whole upstream PR, as other harnesses' oracles). On earlier
 * committed work (sequential): its gold patch, or if they overlap the combined patch on the base. A pair it cannot pass is a dataset defect.
 */
export class OracleAgent implements Agent {
  readonly specificationVersion = 'agent-v1' as const
  readonly name = 'oracle'

  async run(ctx: AgentRunContext): Promise<AgentResult> {
    const log: Transcript = [{ role: 'system', content: `oracle agent for ${ctx.task.repo}/task${ctx.task.taskId}, features ${ctx.featureIds.join(', ')}` }]
    let result: AgentResult
    const work = { removed: false }
    try {
      result = await this.applyGold(ctx, log, work)
    } catch (error) {
      if (ctx.signal.aborted) throw error
      result = emptyAgentResult('Error', errorMessage(error))
    } finally {
      if (!work.removed) await ctx.sandbox.exec(['rm', '-rf', WORK]).catch(() => {})
    }
    // Saved after the sandbox work, awaited: a failed write (a full disk) is this run's recorded rejection, not an unobserved one.
    log.push({ role: 'exit', content: result.error ?? result.status })
    result.messages = log
    await ctx.recorder.save(log)
    return result
  }

  /** The gold patches applied (or the combined one), or why not: what `run` records. */
  private async applyGold(ctx: AgentRunContext, log: Transcript, work: { removed: boolean }): Promise<AgentResult> {
    const golds = await Promise.all(ctx.featureIds.map((id) => this.goldPatch(ctx, id)))
    const goldFiles = golds.map((_, i) => `${WORK}/gold${i + 1}.patch`)
    // The combined patch, the fallback, goes in the same transfer whether it is needed or not: on docker a transfer is an archive,
    // which costs the engine a process, a few more bytes in it nothing.
    const combined = await this.combinedWithoutTests(ctx)
    const combinedFile = `${WORK}/combined.patch`
    const files = new Map<string, string | Uint8Array>(golds.map((gold, i) => [goldFiles[i]!, gold]))
    if (combined !== null) files.set(combinedFile, combined)
    await writeSandboxFiles(ctx.sandbox, files)
    // The usual case, every gold patch applying, is one command, which also removes the work folder.
    const applied = await this.applyInOrder(ctx, goldFiles, log, { thenRemoveWork: true })
    work.removed = applied.workRemoved
    if (applied.ok) return submitted(log)
    // A seat carried into a later phase runs again in its sandbox, which already holds its gold patches.
    if (await this.alreadyApplied(ctx, goldFiles, log)) return submitted(log)
    const base = await this.baseUnderEarlierWork(ctx)
    if (ctx.featureIds.length === 1 && base === null) return datasetDefect(`the gold patch of feature ${ctx.featureIds[0]} does not apply to the base commit`)
    await this.resetWorkingTree(ctx, log, base ?? 'HEAD')
    if (combined === null) {
      const overlap =
        base === null ? `the gold patches of features ${ctx.featureIds.join(' and ')} overlap` : `the gold patches overlap the earlier agents' work`
      return datasetDefect(`${overlap} and the task has no combined.patch`)
    }
    if ((await this.applyInOrder(ctx, [combinedFile], log)).ok) return submitted(log)
    return datasetDefect(`combined.patch of ${ctx.task.repo}/task${ctx.task.taskId} does not apply to the base commit`)
  }

  private async goldPatch(ctx: AgentRunContext, featureId: number): Promise<Buffer> {
    const feature = ctx.task.features.find((f) => f.id === featureId)
    if (!feature) throw new Error(`task ${ctx.task.repo}/task${ctx.task.taskId} has no feature ${featureId}`)
    return readFile(join(feature.dir, 'feature.patch'))
  }

  /**
   * Applies each patch with plain `git apply`, in one command; not ok (tree untouched by the
   * failing one) on the first failure. Each patch's exit status and what git printed on stderr come
   * back after a mark, as the transcript records them.
   */
  private async applyInOrder(
    ctx: AgentRunContext,
    files: string[],
    log: Transcript,
    options: { thenRemoveWork?: boolean } = {},
  ): Promise<{ ok: boolean; workRemoved: boolean }> {
    const steps = [...files.map((file) => `cb_apply ${file}`), ...(options.thenRemoveWork ? [`rm -rf ${WORK}`] : [])]
    const script = [
      `cb_apply() { git apply --whitespace=nowarn "$1" 2>&1 >/dev/null; s=$?; printf '\\n${APPLIED_MARK} %s\\n' "$s"; return $s; }`,
      steps.join(' && '),
    ]
    // Through sh, not the sandbox's login shell: nothing a profile prints can reach the transcript.
    const result = await ctx.sandbox.exec(['sh', '-c', script.join('\n')], { signal: ctx.signal })
    // A command killed by an interruption is not a dataset defect.
    ctx.signal.throwIfAborted()
    const outcomes = appliedOutcomes(result.stdout)
    for (const [i, file] of files.entries()) {
      const outcome = outcomes[i] ?? { exitCode: result.exitCode === 0 ? -1 : result.exitCode, stderr: result.stderr }
      log.push({ role: 'tool', content: `git apply ${file} → exit ${outcome.exitCode}${outcome.stderr ? `\n${outcome.stderr}` : ''}` })
      if (outcome.exitCode !== 0) return { ok: false, workRemoved: false }
    }
    return { ok: true, workRemoved: options.thenRemoveWork === true && result.exitCode === 0 }
  }

  /** Whether the working tree holds every patch already (each reverses cleanly). */
  private async alreadyApplied(ctx: AgentRunContext, files: string[], log: Transcript): Promise<boolean> {
    const reversed = await ctx.sandbox.exec(['sh', '-c', files.map((file) => `git apply --reverse --check ${file}`).join(' && ')], { signal: ctx.signal })
    ctx.signal.throwIfAborted()
    if (reversed.exitCode === 0) log.push({ role: 'tool', content: `the gold patches are already in the working tree (${files.length})` })
    return reversed.exitCode === 0
  }

  /** The base when the sandbox started from earlier committed work its gold patch may overlap; null when HEAD is the base or none is named. */
  private async baseUnderEarlierWork(ctx: AgentRunContext): Promise<string | null> {
    const base = ctx.task.source.baseCommit
    if (base === null) return null
    const head = await ctx.sandbox.exec(['git', 'rev-parse', 'HEAD'], { signal: ctx.signal })
    return head.exitCode === 0 && head.stdout.trim() !== base ? base : null
  }

  /** Index and working tree as `commit` has them, untracked files removed (HEAD stays where it is). */
  private async resetWorkingTree(ctx: AgentRunContext, log: Transcript, commit: string): Promise<void> {
    const result = await ctx.sandbox.exec(`git read-tree -u --reset ${commit} && git clean -fdq`, { signal: ctx.signal })
    log.push({ role: 'tool', content: `reset working tree to ${commit} → exit ${result.exitCode}` })
  }

  private async combinedWithoutTests(ctx: AgentRunContext): Promise<string | null> {
    const combined = await readFile(join(ctx.task.dir, 'combined.patch'), 'utf8').catch(() => null)
    if (combined === null) return null
    // A feature without tests.patch contributes no paths; validate reports it.
    const tests = await Promise.all(ctx.task.features.map((feature) => readFile(join(feature.dir, 'tests.patch'), 'utf8').catch(() => '')))
    return filterTestFiles(combined, tests.flatMap(patchPaths)).patch
  }
}

/**
 * Each patch's exit status and stderr, in order, from the apply command's output (one part per
 * mark).
 */
function appliedOutcomes(stdout: string): Array<{ exitCode: number; stderr: string }> {
  const parts = stdout.split(new RegExp(`\\n${APPLIED_MARK} (\\d+)\\n`))
  const outcomes: Array<{ exitCode: number; stderr: string }> = []
  for (let i = 1; i < parts.length; i += 2) outcomes.push({ exitCode: Number(parts[i]), stderr: parts[i - 1]! })
  return outcomes
}

/** The patches applied: each step after the first message was one. */
function submitted(log: Transcript): AgentResult {
  return { ...emptyAgentResult('Submitted'), steps: log.length - 1 }
}

/** The task itself is defective: the dataset's failure, not the agent's. */
function datasetDefect(what: string): AgentResult {
  return { ...emptyAgentResult('Error', `dataset defect: ${what}`), failure: 'dataset' }
}

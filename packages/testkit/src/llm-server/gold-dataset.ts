import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadDataset } from '@cooperbench/core/dataset'
import { filterTestFiles, patchPaths } from '@cooperbench/spec/patch'
import { finalTurn, textTurn, toolCall } from './turns.js'
import type { LlmScript, RecordedChatMessage } from './types.js'

interface GoldFeature {
  spec: string
  gold: string
  /** The task's combined patch without its tests: what one agent doing every feature writes. */
  combined: string
}

const EOF_MARK = 'COOPERBENCH_GOLD_PATCH_EOF'
const heredoc = (path: string, text: string) => `cat > ${path} <<'${EOF_MARK}'\n${text.endsWith('\n') ? text : `${text}\n`}${EOF_MARK}`

/**
 * A script that plays a mini-SWE-style agent solving any feature of a dataset with its gold patch:
 * it recognises the features by their `feature.md` text in the agent's task, applies their gold
 * patches with `git apply` (a solo agent with overlapping features applies the task's combined
 * patch instead), then submits. What `cooperbench dev model-server` serves, so an LLM agent can be
 * tried with no key and no network; also handy for tests of a whole run.
 */
export async function goldDatasetScript(datasetDir: string): Promise<LlmScript> {
  const features: GoldFeature[] = []
  for (const task of (await loadDataset(datasetDir)).tasks) {
    const combined = await combinedWithoutTests(
      task.dir,
      task.features.map((f) => f.dir),
    )
    for (const feature of task.features) {
      const spec = (await readFile(join(feature.dir, 'feature.md'), 'utf8')).trim()
      features.push({ spec, gold: await readFile(join(feature.dir, 'feature.patch'), 'utf8'), combined })
    }
  }
  return (request) => {
    // A request without tools is a summary of older turns (context compaction), not a step.
    if (!request.body.tools?.length) return textTurn('Summary: the gold patches are being applied.')
    const task = textOf(request.body.messages.find((m) => m.role === 'user'))
    const mine = features.filter((f) => task.includes(f.spec))
    if (mine.length === 0) return textTurn('This scripted model only knows the features of its dataset, and none is in this task.')
    const steps = request.body.messages.filter((m) => m.role === 'assistant').length
    if (steps > 0) return finalTurn()
    if (mine.length === 1) return toolCall(`${heredoc('/tmp/gold.patch', mine[0]!.gold)}\ngit apply /tmp/gold.patch && rm /tmp/gold.patch`)
    const each = mine.map((f, i) => heredoc(`/tmp/gold${i}.patch`, f.gold)).join('\n')
    const applyEach = mine.map((_, i) => `git apply /tmp/gold${i}.patch`).join(' && ')
    return toolCall(
      `${each}\n${heredoc('/tmp/combined.patch', mine[0]!.combined)}\n` +
        `(${applyEach}) || (git checkout -q -- . && git clean -fdq && git apply /tmp/combined.patch)\nrm -f /tmp/gold*.patch /tmp/combined.patch`,
    )
  }
}

async function combinedWithoutTests(taskDir: string, featureDirs: string[]): Promise<string> {
  const combined = await readFile(join(taskDir, 'combined.patch'), 'utf8').catch(() => '')
  const testPaths: string[] = []
  for (const dir of featureDirs) testPaths.push(...patchPaths(await readFile(join(dir, 'tests.patch'), 'utf8').catch(() => '')))
  return filterTestFiles(combined, testPaths).patch
}

function textOf(message: RecordedChatMessage | undefined): string {
  const content = message?.content
  if (typeof content === 'string') return content
  return (content ?? []).map((part) => part.text ?? '').join('\n')
}

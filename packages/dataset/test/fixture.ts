import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** repo folder → task id → number of features. */
export type DatasetShape = Record<string, Record<number, number>>

/**
 * The full public dataset's shape (docs/reference-compatibility.md#dataset): 12 repos, 30 tasks, 199 features,
 * 652 pairs. Object keys that are integers iterate numerically, which is why discovery order
 * (`task153` before `task85`) must come from the loader, not from this table.
 */
export const FULL_SHAPE: DatasetShape = {
  dottxt_ai_outlines_task: { 1371: 4, 1655: 10, 1706: 8 },
  dspy_task: { 8394: 5, 8563: 6, 8587: 6, 8635: 6 },
  go_chi_task: { 26: 4, 27: 4, 56: 5 },
  huggingface_datasets_task: { 3997: 5, 6252: 6, 7309: 2 },
  llama_index_task: { 17070: 3, 17244: 7, 18813: 6 },
  openai_tiktoken_task: { 0: 10 },
  pallets_click_task: { 2068: 12, 2800: 7, 2956: 8 },
  pallets_jinja_task: { 1465: 10, 1559: 10, 1621: 10 },
  pillow_task: { 25: 5, 290: 5, 68: 5 },
  react_hook_form_task: { 153: 6, 85: 5 },
  samuelcolvin_dirty_equals_task: { 43: 9 },
  typst_task: { 6554: 10 },
}

/** FULL_SHAPE's per-repo statistics, counted by hand, as `<repo> <tasks> <features> <pairs>`. */
export const FULL_SHAPE_PER_REPO = [
  'dottxt_ai_outlines_task 3 22 79',
  'dspy_task 4 23 55',
  'go_chi_task 3 13 22',
  'huggingface_datasets_task 3 13 26',
  'llama_index_task 3 16 39',
  'openai_tiktoken_task 1 10 45',
  'pallets_click_task 3 27 115',
  'pallets_jinja_task 3 30 135',
  'pillow_task 3 15 30',
  'react_hook_form_task 2 11 25',
  'samuelcolvin_dirty_equals_task 1 9 36',
  'typst_task 1 10 45',
]

/** A deterministic 40-hex "commit" per task, so tests can predict what the parser must find. */
export function fakeCommit(repo: string, taskId: number): string {
  return createHash('sha1').update(`${repo}/${taskId}`).digest('hex')
}

export function fakeUrl(repo: string): string {
  return `https://github.com/example/${repo.replace(/_task$/, '').replaceAll('_', '-')}.git`
}

/** A tiny but well-formed git-style diff. */
export function fakePatch(file: string, line: string): string {
  return [
    `diff --git a/${file} b/${file}`,
    'index 0000001..0000002 100644',
    `--- a/${file}`,
    `+++ b/${file}`,
    '@@ -1 +1,2 @@',
    ' existing',
    `+${line}`,
    '',
  ].join('\n')
}

/**
 * Writes a dataset of the given shape into `root`: per task a Dockerfile and setup.sh pinning
 * `fakeCommit`, a runner.sh, and per feature a feature.md, feature.patch and tests.patch.
 */
export async function writeDataset(root: string, shape: DatasetShape): Promise<void> {
  const writes: Array<Promise<unknown>> = []
  for (const [repo, tasks] of Object.entries(shape)) {
    for (const [id, featureCount] of Object.entries(tasks)) {
      writes.push(writeTask(root, repo, Number(id), featureCount))
    }
  }
  await Promise.all(writes)
}

export async function writeTask(root: string, repo: string, taskId: number, featureCount: number): Promise<string> {
  const dir = join(root, repo, `task${taskId}`)
  await mkdir(dir, { recursive: true })
  const commit = fakeCommit(repo, taskId)
  await Promise.all([
    writeFile(
      join(dir, 'Dockerfile'),
      [
        'FROM python:3.11-slim',
        'WORKDIR /workspace',
        `RUN git clone ${fakeUrl(repo)} repo && \\`,
        '    cd repo && \\',
        `    git checkout ${commit}`,
        'WORKDIR /workspace/repo',
        '',
      ].join('\n'),
    ),
    writeFile(
      join(dir, 'setup.sh'),
      ['#!/bin/bash', `REPO_NAME="${repo}-pr-${taskId}"`, `BASE_COMMIT="${commit}"`, `git clone ${fakeUrl(repo).replace(/\.git$/, '')} "$REPO_NAME"`, ''].join(
        '\n',
      ),
    ),
    writeFile(join(dir, 'runner.sh'), '#!/bin/bash\nexit 0\n'),
  ])
  for (let feature = 1; feature <= featureCount; feature++) await writeFeature(dir, feature)
  return dir
}

export async function writeFeature(taskDir: string, feature: number): Promise<string> {
  const dir = join(taskDir, `feature${feature}`)
  await mkdir(dir, { recursive: true })
  await Promise.all([
    writeFile(join(dir, 'feature.md'), `**Title**: Feature ${feature}\n\n**Description**: does thing ${feature}.\n`),
    writeFile(join(dir, 'feature.patch'), fakePatch('src/module.py', `feature_${feature} = True`)),
    writeFile(join(dir, 'tests.patch'), fakePatch('tests/test_module.py', `def test_feature_${feature}(): pass`)),
  ])
  return dir
}

export async function writeSubset(root: string, name: string, content: unknown): Promise<string> {
  await mkdir(join(root, 'subsets'), { recursive: true })
  const path = join(root, 'subsets', `${name}.json`)
  await writeFile(path, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`)
  return path
}

/** A fresh temp folder and its cleanup. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `cooperbench-${prefix}-`))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

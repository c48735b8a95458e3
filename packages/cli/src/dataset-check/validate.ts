import { open } from 'node:fs/promises'
import { join } from 'node:path'
import pLimit from 'p-limit'
import { type Task, errorMessage, isCooperbenchError } from '@cooperbench/spec'
import {
  type Dataset,
  formatIds,
  inspectRepoSource,
  isFile,
  listSubsets,
  loadSubset,
  MANIFEST_FILE,
  readOptionalText,
  readTaskManifest,
  type RepoSourceEvidence,
  resolveRepoSource,
  type Subset,
  taskKey,
} from '@cooperbench/dataset'
import { checkPatchesApply } from './patch-check.js'
import type { TaskProblem } from './task-problem.js'

/**
 * Checks every task and subset file, going on after a problem so one pass lists everything (load `{ tolerant: true }` so a malformed
 * manifest is reported here, not an aborted load). Per task: two or more features, ids 1..n without gaps, each with a non-empty
 * `feature.md` and git-style `feature.patch` and `tests.patch`; a base commit (Dockerfile, else setup.sh) both agree on; a repository
 * source (clone URL or `repo.bundle`); `runner.sh`; a well-formed `cooperbench.json` if present. Subsets must parse and name only
 * existing tasks and features. `applyPatches` applies every patch to its base (`checkPatchesApply`).
 */
export async function validateDataset(dataset: Dataset, options: { applyPatches?: boolean } = {}): Promise<TaskProblem[]> {
  // A bare clone and a git apply per patch: a few tasks at a time, not the whole dataset at once.
  const gitSlots = pLimit(4)
  const checkTask = async (task: Task) => [...(await validateTask(task)), ...(options.applyPatches ? await gitSlots(() => checkPatchesApply(task)) : [])]
  // A check that throws unexpectedly (unreadable folder) becomes a problem, not an abort.
  const perTask = await Promise.all(dataset.tasks.map((task) => checkTask(task).catch((error) => [problemOf(task, null, task.dir, errorMessage(error))])))
  return [...perTask.flat(), ...(await validateSubsets(dataset))]
}

async function validateTask(task: Task): Promise<TaskProblem[]> {
  const problems: TaskProblem[] = []
  const report: Report = (feature, path, problem, severity = 'error') => problems.push(problemOf(task, feature, path, problem, severity))

  const ids = task.features.map((feature) => feature.id)
  if (ids.length < 2) {
    const has = ids.length === 0 ? 'no feature folders' : `${formatIds(ids)} only`
    report(null, task.dir, `has ${has}; a task needs at least two features to form a pair, so it is skipped`)
  }
  if (ids.some((id, index) => id !== index + 1)) {
    report(null, task.dir, `feature ids are ${ids.join(', ')}; expected 1 to ${ids.length} without gaps`, 'warning')
  }

  const [source, runner, manifestProblem, featureProblems] = await Promise.all([
    inspectRepoSource(task.dir),
    isFile(join(task.dir, 'runner.sh')),
    readTaskManifest(task.dir).then(() => null, errorMessage),
    Promise.all(task.features.map((feature) => validateFeature(feature.id, feature.dir))),
  ])
  checkSource(task, source, report)
  if (source.bundlePath !== null) {
    const bundleProblem = await checkBundle(source.bundlePath, resolveRepoSource(source).baseCommit)
    if (bundleProblem !== null) report(null, source.bundlePath, bundleProblem.problem, bundleProblem.severity)
  }
  if (!runner) report(null, join(task.dir, 'runner.sh'), 'is missing; the evaluator runs the tests through it')
  if (manifestProblem !== null) report(null, join(task.dir, MANIFEST_FILE), manifestProblem)
  for (const [index, found] of featureProblems.entries()) {
    for (const { path, problem } of found) report(task.features[index]!.id, path, problem)
  }
  return problems
}

type Report = (feature: number | null, path: string, problem: string, severity?: TaskProblem['severity']) => void

function checkSource(task: Task, source: RepoSourceEvidence, report: Report) {
  const dockerfile = join(task.dir, 'Dockerfile')
  const setupScript = join(task.dir, 'setup.sh')
  const fromDocker = source.dockerfile?.baseCommit ?? null
  const fromSetup = source.setupScript?.baseCommit ?? null
  if (fromDocker === null && fromSetup === null) {
    const looked = [source.dockerfile && 'Dockerfile', source.setupScript && 'setup.sh'].filter(Boolean)
    report(
      null,
      source.dockerfile !== null || source.setupScript === null ? dockerfile : setupScript,
      looked.length === 0
        ? 'no base commit: the task has neither a Dockerfile nor a setup.sh'
        : `no base commit: ${looked.join(' and ')} pin${looked.length === 1 ? 's' : ''} no 40-hex commit (git checkout <sha> / BASE_COMMIT="<sha>")`,
    )
  } else if (fromDocker !== null && fromSetup !== null && fromDocker !== fromSetup) {
    report(null, setupScript, `BASE_COMMIT ${fromSetup} disagrees with the Dockerfile's checkout ${fromDocker}; patches are relative to the Dockerfile's`)
  } else if (source.dockerfile !== null && fromDocker === null) {
    report(null, dockerfile, `pins no base commit; using setup.sh's ${fromSetup ?? ''}`, 'warning')
  }

  const urls = [source.dockerfile?.url, source.setupScript?.url].filter((url) => typeof url === 'string')
  if (urls.length === 0 && source.bundlePath === null) {
    report(null, task.dir, 'no repository source: no git clone URL in Dockerfile or setup.sh, and no repo.bundle')
  }
  const [first, second] = urls
  if (first !== undefined && second !== undefined && comparableUrl(first) !== comparableUrl(second)) {
    report(null, setupScript, `clones ${second}, but the Dockerfile clones ${first}`, 'warning')
  }
}

/** `https://github.com/go-chi/chi.git` and `https://github.com/go-chi/chi` name the same repository. */
function comparableUrl(url: string) {
  return url
    .toLowerCase()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
}

async function validateFeature(id: number, dir: string): Promise<Array<{ path: string; problem: string }>> {
  const found: Array<{ path: string; problem: string }> = []
  const spec = join(dir, 'feature.md')
  const specText = await readOptionalText(spec)
  if (specText === null) found.push({ path: spec, problem: `is missing; feature ${id} has no specification to give the agent` })
  else if (specText.trim() === '') found.push({ path: spec, problem: 'is empty' })
  for (const [file, role] of [
    ['feature.patch', 'gold implementation'],
    ['tests.patch', 'hidden tests'],
  ] as const) {
    const path = join(dir, file)
    const text = await readOptionalText(path)
    if (text === null) found.push({ path, problem: `is missing (the ${role} of feature ${id})` })
    else if (text.trim() === '') found.push({ path, problem: `is empty (the ${role} of feature ${id})` })
    else if (!/^diff --git \S/m.test(text)) found.push({ path, problem: 'is not a git-style diff (no "diff --git a/… b/…" header)' })
  }
  return found
}

/** A bundle must start with a git bundle header; a base commit that no ref names is only a warning (it may be an ancestor, which only git can tell). */
async function checkBundle(path: string, baseCommit: string | null): Promise<{ problem: string; severity: TaskProblem['severity'] } | null> {
  const handle = await open(path, 'r')
  let head: string
  try {
    const buffer = Buffer.alloc(64 * 1024)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    head = buffer.subarray(0, bytesRead).toString('latin1')
  } finally {
    await handle.close()
  }
  if (!/^# v[23] git bundle\n/.test(head)) return { problem: 'is not a git bundle (no "# v2 git bundle" header)', severity: 'error' }
  const refs = (head.split('\n\n')[0] ?? '')
    .split('\n')
    .slice(1)
    .filter((line) => /^[0-9a-f]{40} /.test(line))
    .map((line) => line.slice(0, 40))
  if (baseCommit !== null && !refs.includes(baseCommit)) {
    return { problem: `no ref of the bundle points at the base commit ${baseCommit}; check that the bundle contains it`, severity: 'warning' }
  }
  return null
}

async function validateSubsets(dataset: Dataset): Promise<TaskProblem[]> {
  const problems: TaskProblem[] = []
  const tasks = new Map(dataset.tasks.map((task) => [taskKey(task.repo, task.taskId), task]))
  for (const name of await listSubsets(dataset.dir)) {
    let subset: Subset
    try {
      subset = await loadSubset(dataset.dir, name)
    } catch (error) {
      const details = isCooperbenchError(error) && error.details.length > 1 ? `: ${error.details.join('; ')}` : ''
      const path = join(dataset.dir, 'subsets', `${name}.json`)
      // The loader's messages start with the file, which the problem names already (`path: problem`).
      const message = errorMessage(error)
      problems.push({
        repo: null,
        taskId: null,
        feature: null,
        path,
        problem: `${message.startsWith(path) ? message.slice(path.length).replace(/^:?\s*/, '') : message}${details}`,
        severity: 'error',
        subset: name,
      })
      continue
    }
    subset.tasks.forEach((entry, index) => {
      const task = tasks.get(taskKey(entry.repo, entry.taskId))
      const base = { repo: entry.repo, taskId: entry.taskId, path: subset.path, severity: 'error' as const, subset: name }
      if (task === undefined) {
        problems.push({ ...base, feature: null, problem: `tasks[${index}] names ${taskKey(entry.repo, entry.taskId)}, which is not in the dataset` })
        return
      }
      const ids = new Set(task.features.map((feature) => feature.id))
      for (const [field, teams] of [
        ['pairs', entry.pairs],
        ['groups', entry.groups],
      ] as const) {
        teams?.forEach((team, teamIndex) => {
          for (const id of team.filter((featureId) => !ids.has(featureId))) {
            problems.push({
              ...base,
              feature: id,
              problem: `tasks[${index}].${field}[${teamIndex}] names feature ${id}, which ${taskKey(task.repo, task.taskId)} lacks`,
            })
          }
        })
      }
    })
  }
  return problems
}

function problemOf(task: Task, feature: number | null, path: string, problem: string, severity: TaskProblem['severity'] = 'error'): TaskProblem {
  return { repo: task.repo, taskId: task.taskId, feature, path, problem, severity }
}

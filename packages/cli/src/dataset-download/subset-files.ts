import type { Subset } from '@cooperbench/dataset'
import { CooperbenchError } from '@cooperbench/core'
import type { HubFile } from './hub-listing.js'
import { DATASET_REPO } from './hub-location.js'

/** The subset file among the repo's files; SUBSET_NOT_FOUND naming the subsets the repo has. */
export function findSubsetFile(files: HubFile[], name: string, revision: string): HubFile {
  if (!/^[\w-][\w.-]*$/.test(name)) {
    throw new CooperbenchError('USAGE', `invalid subset name ${JSON.stringify(name)}`, {
      hint: 'Name a subset without folder or extension, e.g. --subset lite.',
    })
  }
  const path = `subsets/${name}.json`
  const found = files.find((file) => file.path === path)
  if (found) return found
  const available = files.map((file) => file.path.match(/^subsets\/([^/]+)\.json$/)?.[1]).filter((stem) => stem !== undefined)
  throw new CooperbenchError('SUBSET_NOT_FOUND', `subset "${name}" is not in ${DATASET_REPO} at revision ${revision} (no ${path})`, {
    hint:
      available.length > 0 ? `Available subsets: ${available.join(', ')}.` : 'This revision has no subset files; run without --subset to download every task.',
  })
}

/** A subset's files: the repo's top-level ones (README…), its own and its tasks' (`<repo>/task<ID>/…`); not other subsets' (tasks missing). */
export function filesOfSubset(files: HubFile[], subset: Subset, subsetFile: HubFile): HubFile[] {
  const taskFolders = new Set(subset.tasks.map((task) => `${task.repo}/task${task.taskId}/`))
  return files.filter((file) => {
    if (file.path === subsetFile.path || !file.path.includes('/')) return true
    const [repo, task] = file.path.split('/')
    return taskFolders.has(`${repo}/${task}/`)
  })
}

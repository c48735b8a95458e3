/** The plan the manager writes at the repository's root in its plan phase (kept as the phase's artifact). */
export const PLAN_FILE = 'PLAN.md'

/** The headings a scripted model recognises each part by (`cooperbench dev model-server`). */
export const HEADINGS = { managing: '## Managing the team', branch: '## Your branch', integrating: '## Integrating' } as const

/** A feature's text, as the manager is shown every one. */
export interface FeatureText {
  id: number
  text: string
}

/**
 * The manager's plan phase: every feature, that it implements none of them itself, and how to
 * delegate. CAID's manager writes a dependency-aware plan first, then delegates; workers start at
 * once, in their own sandboxes, each pushing a branch of the shared remote.
 */
export function managerTask(features: readonly FeatureText[], remote: string): string {
  const blocks = features.map((f) => `## Feature ${f.id}\n\n${f.text.trim()}`)
  const ids = features.map((f) => f.id).join(', ')
  return [
    `You manage a team of workers who implement the features below (${ids}) of one repository, each worker in a copy of its own. You implement none of them yourself: the tree you integrate at the end is judged against every feature.`,
    ...blocks,
    `${HEADINGS.managing}

1. Read the code the features touch. Write a dependency-aware plan to \`${PLAN_FILE}\` at the repository's root: for each feature, the files and functions it changes, and which feature must come first when two touch the same code.
2. Delegate each feature to a worker: \`delegate <feature id> "<what to do: files, functions, what to leave alone>"\`. A worker starts at once; with \`--after <worker>\` it starts when that worker has finished, from its work. Each worker pushes its work to its own branch of the shared git remote \`${remote}\` (\`${remote}/<worker>\`).
3. When every feature is delegated, finish. You will be called back, in this same repository, to integrate the workers' branches.`,
  ].join('\n\n')
}

/** A worker's task: its feature, the manager's words, and its branch. */
export function workerTask(feature: FeatureText, assignment: string, agentId: string, remote: string, after: string | null): string {
  const start = after === null ? '' : ` You start from the work of ${after}, which is committed in this repository.`
  return [
    feature.text.trim(),
    `## Your assignment\n\nThe manager delegated this feature to you (${agentId}):${start}\n\n${assignment.trim()}`,
    `${HEADINGS.branch}\n\nYou work on branch \`${agentId}\` of the shared git remote \`${remote}\`. When your feature works, commit it and push it: \`git add -A && git commit -m "feature ${feature.id}" && git push ${remote} HEAD:${agentId}\`. The manager merges your branch; changes you do not push are lost.`,
  ].join('\n\n')
}

/** What the manager is told when it is called back: each worker, how it ended, its branch. */
export function integrationTask(workers: ReadonlyArray<{ agentId: string; featureId: number; status: string }>, remote: string): string {
  const lines = workers.map((w) => `- ${w.agentId}: feature ${w.featureId}, ended ${w.status}; branch \`${remote}/${w.agentId}\``)
  const none = 'No worker ran: implement the features yourself.'
  return `${HEADINGS.integrating}

The workers have finished:

${lines.length > 0 ? lines.join('\n') : none}

Fetch their branches (\`git fetch ${remote}\`), merge each into your branch, resolve any conflict, check that every feature works together, then finish. Your tree is what is judged.`
}

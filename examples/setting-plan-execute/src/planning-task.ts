/** The file a planner submits, relative to the repository (`Seat.artifact`). */
export const PLAN_FILE = 'plan.txt'

/** The heading of the planning section of a planner's task (`cooperbench dev model-server` recognises a planner by it). */
export const PLANNING_HEADING = '## Planning phase'

/**
 * A planner's task: its feature's text, then what this phase asks of it. Upstream's planners (PR
 * #70) are told the same things in other words: plan only, write a self-contained plan to
 * `plan.txt`, because an executor will get it verbatim and nothing else; and, when teammates can
 * message, agree with them now, since patches that touch the same lines fail the merge.
 */
export function planningTask(featureText: string, teammates: boolean): string {
  const sections = [
    featureText.trimEnd(),
    `${PLANNING_HEADING}

This is the first of two phases, and in it you only plan: do not change the source code and do not write a patch. \
Explore the repository, write your plan to \`${PLAN_FILE}\` at the repository's root, then submit.

In the second phase a fresh engineer implements the feature from your plan. \`${PLAN_FILE}\` is all they get, word for word: \
not the feature's description above, not your notes, not this conversation. Make the plan complete on its own:

- what the feature must do, with the details and edge cases of its description;
- which files you will change, and which functions, classes or lines in them;
- how to change them, in what order, and why;
- what you found while exploring that the implementer needs (conventions, pitfalls, nearby tests).`,
  ]
  if (teammates) {
    sections.push(`The rest of your team is planning other features in the same repository now. In the second phase their \
implementers and yours work at the same time, and the patches are merged: where two patches change the same lines, the merge \
fails and no feature counts. Agree with your teammates now who changes which files, functions and lines, and write what you \
agreed into your plan.`)
  }
  return `${sections.join('\n\n')}\n`
}

/** An executor's task: its planner's plan verbatim (as upstream), and the feature's text after it when one is given (`withFeature`). */
export function executionTask(plan: string, featureText: string | null): string {
  return featureText === null ? plan : `${plan}\n\n---\n\n${featureText}`
}

/**
 * `@cooperbench/spec/team`: the team setting's task list and team contracts in full — statuses,
 * events, claim and update outcomes, the features and their names, the scratchpad's paths. The
 * root exports only what other contracts name (`TaskList`, a bus's; `AgentTeam`, an agent's
 * context; the team's result records). What a task list implementation runs (fresh ids, the checks
 * before a create) is `@cooperbench/spec-utils/team`.
 */
export * from './contracts/task-list.js'
export * from './contracts/team.js'

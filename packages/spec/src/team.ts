/**
 * `@cooperbench/spec/team`: the team setting's task list and team contracts in full (statuses, events, outcomes, features, scratchpad
 * paths); the root exports only what other contracts name (`TaskList`, `AgentTeam`, the result records). What a task list implementation
 * runs (fresh ids, the checks before a create) is `@cooperbench/spec-utils/team`.
 */
export * from './contracts/task-list.js'
export * from './contracts/team.js'

export { createFixtureTask, defaultRunner, type FileMap, type FixtureFeature, type FixtureTask, type FixtureTaskSpec } from './fixture-task.js'
export { git } from './git.js'
export * from './conformance/index.js'
export * from './llm-server/index.js'
export { scriptedLlmServersPerTest } from './llm-servers-per-test.js'
export {
  freePort,
  type RedisServerFixture,
  type RedisServerOptions,
  type RestartOptions,
  redisServerBinary,
  redisServerSkipReason,
  startRedisServer,
} from './redis-server.js'
export { bubblewrapProblem, type LocalTestSandboxes, localTestSandboxes } from './local-sandboxes.js'
export { cooperbenchRejection } from './rejection.js'
export * from './model-servers/index.js'
export { type LiveResultsRecord, recordLiveResults } from './live-results.js'
export { addLaterHistory, type LaterObjects } from './later-history.js'
export { planningRegistry } from './planning-registry.js'

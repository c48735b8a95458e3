export { type BackendConformanceOptions, CONFORMANCE_DEFAULT_IMAGE, describeBackendConformance } from './backend.js'
export * from './checks.js'
export { CONFORMANCE_TASK_REPO, type ConformanceFixture, createConformanceFixture, loadFixtureTask } from './fixture.js'
export { hostProcessListing, leftoverProcesses, PROCESS_LISTING_SCRIPT } from './processes.js'
export { type BusConformanceOptions, describeBusConformance, TRICKY_CONTENTS } from './bus.js'
export { describeTaskListConformance, type TaskListConformanceOptions } from './task-list.js'
export {
  type AbortOutcome,
  type AgentCheckSetup,
  type AgentConformanceOptions,
  type AgentFixtureFeature,
  type AgentRunRecord,
  applyPatchCommand,
  CONFORMANCE_DEFAULT_MODEL,
  checkAbort,
  checkAgentIdentity,
  checkCoopWithMailbox,
  checkExecFailureContained,
  checkPatchPassesHiddenTests,
  checkPreflight,
  checkRecorderSaves,
  checkResultShape,
  checkSolvesFixture,
  checkSubmitted,
  checkTeamRun,
  type CoopOutcome,
  describeAgentConformance,
  type ModelWire,
  type RecordingRecorder,
  recordingRecorder,
  runAgentOnFixture,
  type SandboxExtras,
  type TeamCheckOptions,
  type TeamOutcome,
  type TeamScriptFacts,
} from './agent.js'

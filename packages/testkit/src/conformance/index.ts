export { type BackendConformanceOptions, CONFORMANCE_DEFAULT_IMAGE, describeBackendConformance } from './backend.js'
export * from './checks.js'
export { CONFORMANCE_TASK_REPO, type ConformanceFixture, createConformanceFixture, loadFixtureTask } from './fixture.js'
export { hostProcessListing, leftoverProcesses, PROCESS_LISTING_SCRIPT } from './processes.js'
export { type BusConformanceOptions, describeBusConformance, TRICKY_CONTENTS } from './bus.js'
export { describeSharedLogConformance, type SharedLogConformanceOptions } from './shared-log.js'
export {
  checkEverythingEnded,
  checkJudgedFiles,
  checkSeatFiles,
  checkSeatsReadable,
  checkShapeInFingerprint,
  describeSettingConformance,
  runSettingOnFixture,
  type SettingConformanceOptions,
  type SettingRun,
} from './setting.js'
export { openTestTeam, type TestTeam, type TestTeamOptions } from './test-team.js'
export {
  type AbortOutcome,
  type AgentCheckSetup,
  type AgentConformanceOptions,
  type AgentFixtureFeature,
  type AgentRunRecord,
  applyPatchCommand,
  CONFORMANCE_DEFAULT_MODEL,
  CONFORMANCE_ECHO_COMMAND,
  type CoordinationCheckOptions,
  type CoordinationOutcome,
  checkAbort,
  checkAgentIdentity,
  checkCoordinationSurface,
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
  type FixtureRunOptions,
  type ModelWire,
  type RecordingRecorder,
  recordingRecorder,
  runAgentOnFixture,
  type SandboxExtras,
  type TeamCheckOptions,
  type TeamOutcome,
  type TeamScriptFacts,
} from './agent.js'

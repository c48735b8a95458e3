// The sandbox and backend conformance checks, one file per area; this module gathers them.
export { ConformanceViolation, type CheckOptions } from './check-support.js'
export {
  checkRepoAtBaseCommit,
  checkWritableDirectories,
  checkRunnerContract,
  checkExitCodes,
  checkStdoutStderrApart,
  checkCwdOption,
  checkDefaultCwd,
  checkEnvOption,
  checkStdinText,
  checkStdinBinary,
  checkArgvNotReparsed,
  checkUnicodeOutput,
  checkLongCommand,
  checkMappedDirectories,
} from './checks-exec.js'
export { checkTimeout, checkTimeoutKillsChildren, checkAbortSignal, checkAlreadyAbortedSignal, checkFinishesBeforeTimeout } from './checks-timeouts.js'
export {
  hasTruncationMarker,
  checkOutputCap,
  checkBinaryRoundTrip,
  checkEmptyFileRoundTrip,
  checkWriteFiles,
  checkReadFileWrittenByExec,
  checkWriteFileCreatesParents,
  checkReadMissingFileRejects,
} from './checks-files.js'
export {
  checkSandboxesIsolated,
  checkTerminateIdempotent,
  checkTerminateDuringExec,
  checkUseAfterTerminateRejects,
  checkNoLeftovers,
  checkExposedPort,
} from './checks-lifecycle.js'

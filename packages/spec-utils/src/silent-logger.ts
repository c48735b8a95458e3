import type { Logger } from '@cooperbench/spec'

/** A {@link Logger} that drops every line: for tests and for callers that want no output. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

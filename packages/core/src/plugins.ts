/**
 * `@cooperbench/core/plugins`: the host side of plugins — loading definitions into a registry,
 * DI scopes and lifetimes — and core's own plugin objects (the `oracle` agent, the `memory` and
 * `redis` buses, the `default` evaluator).
 */
export * from './plugin/index.js'
export * from './builtins.js'
export * from './bus/index.js'
export * from './agents/oracle.js'

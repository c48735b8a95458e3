/**
 * `@cooperbench/core/plugins`: the host side of plugins — loading definitions into a registry,
 * DI scopes and lifetimes. Core registers no plugin objects of its own: the `oracle` agent and
 * the `memory` bus are the first-party plugin `@cooperbench/builtins`.
 */
export * from './plugin/index.js'

/**
 * `@cooperbench/core/plugins`: the host side of plugins (loading definitions into a registry, DI scopes, lifetimes).
 * Core registers no objects of its own: the `oracle` agent and `memory` bus are the plugin `@cooperbench/builtins`.
 */
export * from './plugin/index.js'

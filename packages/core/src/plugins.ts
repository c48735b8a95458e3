/** The host side of plugins (registry, DI scopes, lifetimes); core registers no objects: `oracle` and `memory` are `@cooperbench/builtins`. */
export * from './plugin/index.js'

/**
 * `@cooperbench/core/port-relay`: for backends whose sandboxes cannot publish a port, a local
 * listener that carries each connection over a command in the sandbox (`Sandbox.exposePort`).
 */
export { PORT_RELAY_SCRIPT, type PortRelay, type RelayChannel, startPortRelay } from './util/port-relay.js'

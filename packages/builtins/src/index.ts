export { MemoryBus } from './memory-bus.js'
export { OracleAgent } from './oracle-agent.js'
export { builtinsPlugin, memoryBusRegistration, oracleAgentRegistration } from './registrations.js'

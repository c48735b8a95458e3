export { MemoryBus } from './memory-bus.js'
export { MemoryTaskList, type MemoryTaskStore, newMemoryTaskStore } from './memory-task-list.js'
export { OracleAgent } from './oracle-agent.js'
export { builtinsPlugin, memoryBusRegistration, oracleAgentRegistration } from './registrations.js'

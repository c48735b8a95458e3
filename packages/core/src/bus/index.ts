export { busTimestamp, isoFromMicros, timestampMicros } from './clock.js'
export { MemoryBus } from './memory-bus.js'

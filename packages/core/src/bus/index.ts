export { busTimestamp, isoFromMicros, timestampMicros } from '@cooperbench/spec'
export { MemoryBus } from './memory-bus.js'

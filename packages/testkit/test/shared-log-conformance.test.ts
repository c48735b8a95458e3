import { MemoryBus } from '@cooperbench/builtins'
import { describeSharedLogConformance } from '../src/conformance/shared-log.js'

// As with the bus suite: the memory bus's logs run here, the Redis ones in packages/bus-redis.
describeSharedLogConformance('memory', { createBus: () => new MemoryBus() })

import { MemoryBus } from '@cooperbench/builtins'
import { describeTaskListConformance } from '../src/conformance/task-list.js'

// As with the bus suite: the memory task list runs here, the Redis one in packages/bus-redis.
describeTaskListConformance('memory', { createBus: () => new MemoryBus() })

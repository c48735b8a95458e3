import { MemoryBus } from '@cooperbench/builtins'
import { describeBusConformance } from '../src/conformance/bus.js'

// The memory bus (@cooperbench/builtins) runs the suite here, as the local backend does: testkit
// depends on the package, and the package cannot take testkit back without a workspace cycle
// (core's tests use the memory bus). The redis bus runs it in its own package (packages/bus-redis).
describeBusConformance('memory', { createBus: () => new MemoryBus() })

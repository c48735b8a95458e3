import { MemoryBus } from '@cooperbench/core/plugins'
import { describeBusConformance } from '../src/conformance/bus.js'

// The redis bus runs the same suite in its own package (packages/bus-redis).
describeBusConformance('memory', { createBus: () => new MemoryBus() })

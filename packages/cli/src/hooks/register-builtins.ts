import { definePlugin } from '@cooperbench/core'
import { builtinsPlugin } from '@cooperbench/core/plugins'

/** Core's own agent, bus and evaluator, registered through the same hook as every plugin. */
export default definePlugin(builtinsPlugin)

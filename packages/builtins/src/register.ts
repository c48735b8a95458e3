import { definePlugin } from '@cooperbench/spec'
import { builtinsPlugin } from './registrations.js'

/** The `cooperbench:register` hook: the `oracle` agent and the `memory` bus. */
export default definePlugin(builtinsPlugin)

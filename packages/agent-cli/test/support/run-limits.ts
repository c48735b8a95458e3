import { CONFIG_DEFAULTS } from '@cooperbench/config'
import type { AgentLimits } from '@cooperbench/spec'

/** The limits a run that sets none gives a CLI agent (`ctx.limits`): the run's step limit, and no cost limit (the CLI agents' own). */
export const RUN_LIMITS: AgentLimits = { steps: CONFIG_DEFAULTS.stepLimit, costUsd: 0, wallClockSeconds: null }

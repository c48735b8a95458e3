import type { Seat } from '@cooperbench/spec'
import type { SeatPlan } from './plan.js'

/**
 * The seat as its agent takes it: whole, or for an agent that takes only its briefing (registration `briefingOnly`, as upstream's
 * swe_agent took only the team's prompt block) the briefing alone: no command tools on PATH, variables, folders, status or wait tool.
 */
export function seatAsTaken(seat: Seat, plan: Pick<SeatPlan, 'briefingOnly'>): Seat {
  if (plan.briefingOnly !== true || seat.coordination === undefined) return seat
  const { briefing } = seat.coordination
  return { ...seat, coordination: briefing === undefined ? {} : { briefing } }
}

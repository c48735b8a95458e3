export { checkGoldConflicts, type CheckGoldConflictsOptions } from './check-gold-conflicts.js'
export {
  buildGoldConflictReport,
  formatConflictRate,
  goldConflictOutcome,
  goldTeam,
  type GoldConflictReport,
  type GoldConflictResult,
  type GoldConflictSummary,
  type GoldConflictTaskSummary,
} from './report.js'

/** A rate with its counts and its interval: one row of the report's tables. */
export interface RateRow {
  pairs: number
  evaluated: number
  passed: number
  failed: number
  errors: number
  /** both-passed / (passed + failed); errors excluded as in eval_summary.json. */
  rate: number | null
  ci: { low: number; high: number } | null
}

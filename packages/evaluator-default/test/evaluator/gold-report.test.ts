import { describe, expect, it } from 'vitest'
import { buildGoldConflictReport, formatConflictRate, type GoldConflictResult } from '../../src/conflicts/report.js'

const result = (over: Partial<GoldConflictResult> & Pick<GoldConflictResult, 'f1' | 'f2'>): GoldConflictResult => ({
  repo: 'react_hook_form_task',
  task_id: 85,
  has_conflict: false,
  patch1_apply_failed: false,
  patch2_apply_failed: false,
  error: null,
  ...over,
})

describe('gold_conflict_report.json (docs/reference-compatibility.md#gold-conflicts)', () => {
  const results = [
    result({ f1: 1, f2: 2, has_conflict: true }),
    result({ f1: 1, f2: 3 }),
    result({ f1: 2, f2: 3, patch2_apply_failed: true }),
    result({ f1: 2, f2: 4, has_conflict: null, patch1_apply_failed: null, patch2_apply_failed: null, error: 'boom' }),
    result({ repo: 'go_chi_task', task_id: 26, f1: 1, f2: 2, has_conflict: true }),
  ]
  const report = buildGoldConflictReport(results, 240.26)

  it('summary: reference keys and types, apply failures no longer counted as clean', () => {
    expect(report.summary).toEqual({
      total_pairs: 5,
      conflicts: 2,
      clean_merges: 1,
      errors: 1,
      apply_failed: 1,
      conflict_rate: '40.0%',
      elapsed_seconds: 240.3,
    })
    expect(Object.keys(report)).toEqual(['summary', 'per_task', 'conflict_pairs', 'all_results'])
  })

  it('per_task keys carry the `task` prefix; counts add up', () => {
    expect(report.per_task).toEqual({
      'react_hook_form_task/task85': { total: 4, conflicts: 1, clean: 1, errors: 1, apply_failed: 1 },
      'go_chi_task/task26': { total: 1, conflicts: 1, clean: 0, errors: 0, apply_failed: 0 },
    })
  })

  it('conflict_pairs and all_results keep discovery order', () => {
    expect(report.conflict_pairs).toEqual([
      { repo: 'react_hook_form_task', task_id: 85, f1: 1, f2: 2 },
      { repo: 'go_chi_task', task_id: 26, f1: 1, f2: 2 },
    ])
    expect(report.all_results.map((r) => `${r.task_id}:${r.f1},${r.f2}`)).toEqual(['85:1,2', '85:1,3', '85:2,3', '85:2,4', '26:1,2'])
    expect(Object.keys(report.all_results[0]!)).toEqual(['repo', 'task_id', 'f1', 'f2', 'has_conflict', 'patch1_apply_failed', 'patch2_apply_failed', 'error'])
  })

  it('conflict_rate: one decimal and %, or N/A without pairs', () => {
    expect(formatConflictRate(499, 652)).toBe('76.5%')
    expect(formatConflictRate(0, 3)).toBe('0.0%')
    expect(buildGoldConflictReport([], 0.04).summary).toMatchObject({ total_pairs: 0, conflict_rate: 'N/A', elapsed_seconds: 0 })
  })
})

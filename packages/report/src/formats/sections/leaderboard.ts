import type { LeaderboardRow } from '../../model/leaderboard.js'
import { strategyMixText } from '../../model/policy-rates.js'
import { comparisonName, modelText, settingAndVariant } from '../labels.js'
import { strategyRecords } from './deficits.js'
import { type ReportCell, type ColumnOf, count, csvRecords, estimate, rateFields, relative, type ReportSection, tableOf, text } from './section-model.js'

/** A row per agent × model: the comparable solo × coop runs' rates, deficit, strict rate and failure shares, each with its interval. */
export function leaderboardSection(rows: LeaderboardRow[]): ReportSection {
  const columns: Array<ColumnOf<LeaderboardRow>> = [
    { label: 'agent', cell: (r) => text(r.agent ?? '?') },
    { label: 'model', cell: (r) => text(modelText(r)) },
    { label: 'communication', header: { latex: 'Comm.' }, cell: (r) => text(communicationText(r)) },
    // Runs of different policies are separate rows (not comparable), each naming its policy; a row merging nothing has none to name.
    ...(new Set(rows.filter((r) => r.passesBy).map((r) => r.policy)).size > 1
      ? [{ label: 'policy', header: { latex: 'Policy' }, cell: (r: LeaderboardRow) => text(r.policy ?? (r.passesBy ? '?' : '–')) }]
      : []),
    { label: 'runs', only: ['text', 'md'], cell: (r) => text(comparisonName(r)) },
    { label: 'pairs', align: 'right', cell: (r) => count(r.pairs) },
    { label: 'solo', header: { text: 'solo [95% CI]', latex: 'Solo (%)' }, cell: (r) => estimate(r.solo) },
    { label: 'coop/team', header: COOP_HEADER, cell: (r) => estimate(r.coop) },
    { label: 'relative deficit', header: { latex: 'Rel. deficit (%)' }, cell: (r) => relative(r.relative) },
    { label: 'strict (coop/team)', header: STRICT_HEADER, cell: (r) => estimate(r.strict) },
    { label: 'passes by strategy', cell: (r) => text(r.passesBy ? strategyMixText(r.passesBy) : '–') },
    { label: 'failure shares', wide: true, cell: failureShares },
  ]
  return {
    id: 'leaderboard',
    title: 'Leaderboard',
    caption:
      'one row per agent × model (and pair size, communication mode; team rows by their features), from one comparable solo × coop (or solo × team) run pair ' +
      'on their common judged pairs; rates with Wilson 95% intervals, the relative deficit (solo − coop) / solo with a Jeffreys 95% interval, ' +
      "strict: the coop (team) run's clean-merge rate; passes by strategy: how its passes were made (solo-agent1: the lead's patch alone); " +
      "shares: the coop run's failure categories (cooperbench analyze), a model's judgement.",
    latexCaption:
      'Leaderboard: one row per agent and model (and communication mode), from one solo run and one coop run of the same configuration, ' +
      'on the pairs judged in both. Solo, coop and strict (clean merge) coop rates with 95% Wilson intervals; relative deficit ' +
      "(solo − coop) / solo with a Jeffreys 95% interval; below a row, the coop run's failure categories as an LLM judge named them.",
    ...tableOf(columns, rows),
    notes: [],
    // CSV has a record per measure (`leaderboardRecords`).
    only: ['text', 'md', 'latex'],
  }
}

const COOP_HEADER = { text: 'coop/team [95% CI]', latex: 'Coop/team (%)' }
const STRICT_HEADER = { text: 'strict coop/team [95% CI]', latex: 'Strict (%)' }

/** `pairs of 3 features, team, no scratchpad, messaging`: a row of another setting than coop is named by its setting and variant. */
function communicationText(row: LeaderboardRow) {
  const size = row.pairSize === 2 ? '' : `pairs of ${row.pairSize} features, `
  return `${size}${settingAndVariant(row)}${row.communication ?? '?'}`
}

/** CSV: per row the solo and the other run's rates, the relative deficit and the strict rate, each a record; then the passes per strategy and the failure shares. */
export function leaderboardRecords(rows: LeaderboardRow[]): ReportSection[] {
  return rows.flatMap((l) => {
    const communication = l.setting === 'coop' ? l.communication : `${settingAndVariant(l)}${l.communication ?? '?'}`
    const head = {
      run: `${l.soloRun} vs ${l.coopRun}`,
      agent: l.agent,
      model: l.model,
      setting: `solo-${l.setting}`,
      pair_size: l.pairSize,
      communication,
      pairs: l.pairs,
    }
    const rate = (id: string, r: LeaderboardRow['solo']) => csvRecords(id, [l], () => ({ ...head, ...rateFields(r.rate, r) }))
    return [
      rate('leaderboard_solo', l.solo),
      rate('leaderboard_coop', l.coop),
      csvRecords('leaderboard_relative_deficit', [l], () => ({ ...head, ...rateFields(l.relative.value, l.relative), note: l.relative.notEstimable })),
      rate('leaderboard_strict', l.strict),
      strategyRecords('leaderboard_passes_by_strategy', head, l.passesBy),
      csvRecords('leaderboard_failure_share', l.analysis?.categories ?? [], (c) => ({
        ...head,
        measure: c.category,
        count: c.count,
        ...rateFields(c.share, c.ci),
      })),
    ]
  })
}

function failureShares(row: LeaderboardRow): ReportCell {
  const categories = row.analysis?.categories ?? []
  return { kind: 'shares', shares: categories.map((c) => ({ category: c.category, share: c.share, ...c.ci })) }
}

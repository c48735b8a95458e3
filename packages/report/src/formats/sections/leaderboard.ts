import type { LeaderboardRow } from '../../model/leaderboard.js'
import { strategyMixText } from '../../model/policy-rates.js'
import { comparisonName, modelText } from '../labels.js'
import { type Cell, type ColumnOf, count, estimate, relative, type TableSection, tableOf, text } from './section-model.js'

/** A row per agent × model: the comparable solo × coop runs' rates, deficit, strict rate and failure shares, each with its interval. */
export function leaderboardSection(rows: LeaderboardRow[]): TableSection {
  const columns: Array<ColumnOf<LeaderboardRow>> = [
    { label: 'agent', cell: (r) => text(r.agent ?? '?') },
    { label: 'model', cell: (r) => text(modelText(r)) },
    { label: 'communication', header: { latex: 'Comm.' }, cell: (r) => text(communicationText(r)) },
    { label: 'runs', only: ['text', 'md'], cell: (r) => text(comparisonName(r)) },
    { label: 'pairs', align: 'right', cell: (r) => count(r.pairs) },
    { label: 'solo', header: { text: 'solo [95% CI]', latex: 'Solo (%)' }, cell: (r) => estimate(r.solo) },
    { label: 'coop/team', header: COOP_HEADER, cell: (r) => estimate(r.coop) },
    { label: 'relative deficit', header: { latex: 'Rel. deficit (%)' }, cell: (r) => relative(r.relative) },
    { label: 'strict (coop/team)', header: STRICT_HEADER, cell: (r) => estimate(r.strict) },
    { label: 'passes by strategy', cell: (r) => text(strategyMixText(r.passesBy)) },
    { label: 'failure shares', wide: true, cell: failureShares },
  ]
  return {
    id: 'leaderboard',
    title: 'Leaderboard',
    caption:
      'one row per agent × model (and team size, communication mode; team rows by their features), from one comparable solo × coop (or solo × team) run pair ' +
      'on their common judged pairs; rates with Wilson 95% intervals, the relative deficit (solo − coop) / solo with a Jeffreys 95% interval, ' +
      "strict: the coop (team) run's clean-merge rate; passes by strategy: how its passes were made (solo-agent1: the lead's patch alone); " +
      "shares: the coop run's failure categories (cooperbench analyze), a model's judgement.",
    latexCaption:
      'Leaderboard: one row per agent and model (and communication mode), from one solo run and one coop run of the same configuration, ' +
      'on the pairs judged in both. Solo, coop and strict (clean merge) coop rates with 95% Wilson intervals; relative deficit ' +
      "(solo − coop) / solo with a Jeffreys 95% interval; below a row, the coop run's failure categories as an LLM judge named them.",
    ...tableOf(columns, rows),
    notes: [],
    source: { kind: 'leaderboard', rows },
  }
}

const COOP_HEADER = { text: 'coop/team [95% CI]', latex: 'Coop/team (%)' }
const STRICT_HEADER = { text: 'strict coop/team [95% CI]', latex: 'Strict (%)' }

/** `teams of 3, team, no scratchpad, messaging`: a team row is named by its features. */
function communicationText(row: LeaderboardRow): string {
  const teams = row.teamSize === 2 ? '' : `teams of ${row.teamSize}, `
  const team = row.setting === 'team' ? `team, ${row.features ?? 'features unknown'}, ` : ''
  return `${teams}${team}${row.communication ?? '?'}`
}

function failureShares(row: LeaderboardRow): Cell {
  const categories = row.analysis?.categories ?? []
  return { kind: 'shares', shares: categories.map((c) => ({ category: c.category, share: c.share, ...c.ci })) }
}

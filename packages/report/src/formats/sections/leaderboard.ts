import type { LeaderboardRow } from '../../model/leaderboard.js'
import { strategyMixText } from '../../model/policy-rates.js'
import { comparisonName, modelText } from '../labels.js'
import { count, estimate, type TableSection, text } from './section-model.js'

/** A row per agent × model: the comparable solo × coop runs' rates, deficit, strict rate and failure shares, each with its interval. */
export function leaderboardSection(rows: LeaderboardRow[]): TableSection {
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
    columns: [
      { label: 'agent', align: 'left' },
      { label: 'model', align: 'left' },
      { label: 'communication', align: 'left', header: { latex: 'Comm.' } },
      { label: 'runs', align: 'left', only: ['text', 'md'] },
      { label: 'pairs', align: 'right' },
      { label: 'solo', align: 'left', header: { text: 'solo [95% CI]', latex: 'Solo (%)' } },
      { label: 'coop/team', align: 'left', header: { text: 'coop/team [95% CI]', latex: 'Coop/team (%)' } },
      { label: 'relative deficit', align: 'left', header: { latex: 'Rel. deficit (%)' } },
      { label: 'strict (coop/team)', align: 'left', header: { text: 'strict coop/team [95% CI]', latex: 'Strict (%)' } },
      { label: 'passes by strategy', align: 'left' },
      { label: 'failure shares', align: 'left', wide: true },
    ],
    rows: rows.map((row) => {
      // A team row is named by its features: `team, no scratchpad, messaging`.
      const teams = row.teamSize === 2 ? '' : `teams of ${row.teamSize}, `
      const team = row.setting === 'team' ? `team, ${row.features ?? 'features unknown'}, ` : ''
      return [
        text(row.agent ?? '?'),
        text(modelText(row)),
        text(`${teams}${team}${row.communication ?? '?'}`),
        text(comparisonName(row)),
        count(row.pairs),
        estimate(row.solo),
        estimate(row.coop),
        { kind: 'relative', estimate: row.relative },
        estimate(row.strict),
        text(strategyMixText(row.passesBy)),
        { kind: 'shares', shares: (row.analysis?.categories ?? []).map((c) => ({ category: c.category, share: c.share, ...c.ci })) },
      ]
    }),
    notes: [],
    source: { kind: 'leaderboard', rows },
  }
}

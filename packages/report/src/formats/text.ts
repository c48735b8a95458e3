import type { Ablation } from '../model/ablation.js'
import type { Deficit, RefusedComparison } from '../model/deficit.js'
import type { LeaderboardRow } from '../model/leaderboard.js'
import type { RunAnalysisReport, RunReport, SettingReport } from '../model/report.js'
import { showsPolicies, strategyMixText } from '../model/policy-rates.js'
import { table } from './text-table.js'
import { type CellStyle, cellText, type TableSection, tableSections } from './table-sections.js'
import {
  ablationDroppedText,
  ablationHead,
  categoryName,
  comparisonName,
  costCell,
  coverageText,
  droppedText,
  judgeText,
  LEADERBOARD_NOTE,
  leaderboardKey,
  leaderboardShares,
  MERGE_OUTCOME_NAMES,
  messagingShareText,
  pEquals,
  refusedAblationText,
  relativeMethodText,
  relativeText,
  signalsText,
  versusName,
} from './labels.js'

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`)
const points = (x: number) => (x * 100).toFixed(1)
const interval = (ci: { low: number; high: number } | null) => (ci ? `[${pct(ci.low)}, ${pct(ci.high)}]` : '–')

/**
 * The terminal report (`--format text`, the default): per setting row its counts, strict rate,
 * merge outcomes and per-repo table, then each coordination deficit and the runs not compared, each
 * coop run's failure analysis (analysis.json) and the communication ablations.
 */
export function formatReport(report: RunReport): string {
  const out: string[] = []
  for (const note of report.policyNotes) out.push(`note: ${note}`)
  if (report.policyNotes.length > 0) out.push('')
  for (const s of report.settings) out.push(...settingSection(s), '')
  if (report.leaderboard.length > 0) out.push(...leaderboardSection(report.leaderboard), '')
  for (const d of report.deficits) out.push(...deficitSection(d), '')
  for (const r of report.refused) out.push(refusedLine(r))
  if (report.refused.length > 0) out.push('')
  for (const a of report.analyses) out.push(...analysisSection(a), '')
  for (const a of report.ablations) out.push(...ablationSection(a), '')
  for (const r of report.refusedAblations) out.push(refusedAblationText(r))
  const sections = tableSections(report)
  if (sections.length > 0 && report.refusedAblations.length > 0) out.push('')
  for (const section of sections) out.push(...textSection(section), '')
  if (report.unreadable.length > 0) out.push('', ...unreadableSection(report.unreadable))
  return out.join('\n').trimEnd()
}

function settingSection(s: SettingReport): string[] {
  const out: string[] = []
  const interrupted = s.interrupted ? ' — interrupted: rates cover its finished pairs only' : ''
  const own = s.policies.find((p) => p.file === 'eval.json')
  const policy = own === undefined ? '' : `, evaluation policy ${own.policy}`
  out.push(`${s.setting}${s.teamSize === 2 ? '' : `, teams of ${s.teamSize}`} (${s.runs.join(', ')})${policy}${interrupted}`)
  out.push(
    table(
      [
        s.teamSize === 2 ? 'pairs' : 'teams',
        'evaluated',
        s.teamSize === 2 ? 'both passed' : 'all passed',
        'failed',
        'eval errors',
        'rate',
        '95% CI',
        'strict rate',
        'cost',
      ],
      [[s.pairs, s.evaluated, s.passed, s.failed, s.errors, pct(s.rate), interval(s.ci), pct(s.strict.rate), costText(s)]],
      ['right', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'right'],
    ),
  )
  if (s.failures.infra + s.failures.dataset + s.failures.agent > 0) {
    const dataset = s.failures.dataset > 0 ? `, ${s.failures.dataset} a dataset defect` : ''
    out.push(`agents that did not submit: ${s.failures.infra} infrastructure (rerun retries them)${dataset}, ${s.failures.agent} the agent's own`)
  }
  if (s.errors > 0) out.push(`eval errors: ${s.errors} pair(s) could not be evaluated; they are left out of every rate`)
  if (s.setting !== 'solo') {
    const m = s.merge
    out.push(`merge: clean ${m.clean}, conflicts ${m.conflicts} (tested via union ${m.union}), missing input ${m.missing_input}, eval errors ${m.error}`)
    const byMerge = s.byMerge.map((r) => `${MERGE_OUTCOME_NAMES[r.outcome]} ${r.passed}/${r.pairs}${r.rate === null ? '' : ` (${pct(r.rate)})`}`)
    out.push(`pass rate by merge outcome: ${byMerge.join(', ')}`)
    if (showsPolicies(s)) out.push('rates by evaluation policy (the same pairs):', indent(policyTable(s)))
  }
  out.push(
    table(
      ['repo', 'pairs', 'passed', 'failed', 'eval errors', 'rate', '95% CI'],
      s.perRepo.map((r) => [r.repo, r.pairs, r.passed, r.failed, r.errors, pct(r.rate), interval(r.ci)]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
  )
  return out
}

/** A coop row's rate under each evaluation policy: both denominators, and what the passes came through. */
function policyTable(s: SettingReport): string {
  const rows = s.policies.map((p) => [
    p.policy,
    p.file,
    `${p.evaluated}/${p.pairs}`,
    p.passed,
    p.failed,
    p.errors,
    `${pct(p.rate)} (${p.passed}/${p.passed + p.failed})`,
    `${pct(p.rateWithErrors)} (${p.passed}/${p.evaluated})`,
    strategyMixText(p.passesBy),
  ])
  const header = ['policy', 'verdicts', 'judged', 'passed', 'failed', 'eval errors', 'rate, errors out', 'rate, errors in', 'passes by strategy']
  return table(header, rows, ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'])
}

function costText(s: SettingReport): string {
  return costCell(s, (x) => `$${x.toFixed(2)}`)
}

function deficitSection(d: Deficit): string[] {
  const teams = d.teamSize === 2 ? '' : `, teams of ${d.teamSize}`
  const rel = d.relative
  const relative = rel.value === null ? relativeText(rel, pct) : `${relativeText(rel, pct)} (${relativeMethodText(rel)})`
  const dropped = droppedText(d)
  const a = d.agreement
  const other = d.setting
  const versus = d.setting === 'coop' ? '' : `, ${versusName(d)}`
  const out = [
    `coordination deficit (${comparisonName(d)}${teams}${versus}): ${d.pairs} common pairs${dropped ? `; dropped: ${dropped}` : ''}`,
    `  relative deficit, (solo − ${other}) / solo: ${relative}`,
    `  difference, solo − ${other}: ${points(d.difference)} points, 95% CI [${points(d.low)}, ${points(d.high)}] (Newcombe, paired)`,
    `  rates on the common pairs: solo ${pct(d.solo)}, ${other} ${pct(d.coop)}; strict: solo ${pct(d.strict.solo)}, ${other} ${pct(d.strict.coop)}` +
      `, relative deficit ${relativeText(d.strict.relative, pct)}`,
    `  ${other} passes by strategy: ${strategyMixText(d.passesBy)}`,
    indent(
      table(
        ['', `${other} passed`, `${other} failed`],
        [
          ['solo passed', a.bothPass, a.soloOnly],
          ['solo failed', a.coopOnly, a.neither],
        ],
        ['left', 'right', 'right'],
      ),
    ),
    `  McNemar (exact binomial): ${pEquals(d.mcnemar.pValue)}, ${d.mcnemar.discordant} discordant pair${d.mcnemar.discordant === 1 ? '' : 's'}`,
    ...d.notes.map((n) => `  note: ${n}`),
  ]
  return out
}

function leaderboardSection(rows: LeaderboardRow[]): string[] {
  const ci = (r: { rate: number; low: number; high: number }) => `${pct(r.rate)} ${interval(r)}`
  const body = rows.map((row) => {
    const key = leaderboardKey(row)
    return [
      key.agent,
      key.model,
      key.setup,
      comparisonName(row),
      row.pairs,
      ci(row.solo),
      ci(row.coop),
      relativeText(row.relative, pct),
      ci(row.strict),
      strategyMixText(row.passesBy),
    ]
  })
  const header = [
    'agent',
    'model',
    'communication',
    'runs',
    'pairs',
    'solo [95% CI]',
    'coop/team [95% CI]',
    'relative deficit',
    'strict coop/team [95% CI]',
    'passes by strategy',
  ]
  // The shares are long: a line per row with an analysis, under the table.
  const shares = rows.filter((row) => row.analysis).map((row) => `  failure shares, ${row.coopRun}: ${leaderboardShares(row, pct)}`)
  return [
    'leaderboard:',
    indent(table(header, body, ['left', 'left', 'left', 'left', 'right', 'left', 'left', 'left', 'left', 'left'])),
    ...shares,
    `  ${LEADERBOARD_NOTE}`,
  ]
}

function analysisSection(a: RunAnalysisReport): string[] {
  const out = [`failure analysis (${a.run}): ${coverageText(a)}; ${judgeText(a)}`]
  if (a.judge !== null) {
    const rows = a.categories.map((c) => [categoryName(c.category), c.count, pct(c.share), interval(c.ci)])
    out.push(indent(table(['category', 'pairs', 'share', '95% CI'], rows, ['left', 'right', 'right', 'left'])))
  }
  out.push(`  signals (no model): ${signalsText(a)}`)
  return out
}

function ablationSection(a: Ablation): string[] {
  const dropped = ablationDroppedText(a)
  const rows = a.variants.map((v) => [
    v.run,
    v.mode,
    `${v.success.count}/${a.pairs}`,
    pct(v.success.rate),
    interval(v.success.ci),
    `${v.conflicts.count}/${a.pairs}`,
    pct(v.conflicts.rate),
    interval(v.conflicts.ci),
    messagingShareText(v, pct),
  ])
  const header = ['run', 'communication', 'passed', 'success', '95% CI', 'conflicts', 'rate', '95% CI', 'steps on messaging']
  return [
    `communication ablation (${ablationHead(a)}${a.pairs} pairs judged in every run${dropped ? `; dropped: ${dropped}` : ''}):`,
    indent(table(header, rows, ['left', 'left', 'right', 'right', 'left', 'right', 'right', 'left', 'right'])),
    '  conflicts: the naive merge of the patches conflicted (the union merge was then tested)',
  ]
}

function refusedLine(r: RefusedComparison): string {
  const teams = r.teamSize === 2 ? '' : ` (teams of ${r.teamSize})`
  return `not compared: ${r.soloRun} (solo) vs ${r.coopRun} (${r.setting})${teams}: ${r.reasons.join('; ')}`
}

const TEXT_CELLS: CellStyle = { percentNumber: (x) => (x * 100).toFixed(1), percentSign: '%', escape: (t) => t, lessThan: '<' }

/** A section of the section model: its title, the table, its notes and what its numbers are. */
function textSection(s: TableSection): string[] {
  const rows = s.rows.map((r) => r.map((c) => cellText(c, TEXT_CELLS)))
  return [
    `${s.title.charAt(0).toLowerCase()}${s.title.slice(1)}:`,
    indent(
      table(
        s.columns.map((c) => c.label),
        rows,
        s.columns.map((c) => c.align),
      ),
    ),
    ...s.notes.map((n) => `  note: ${n}`),
    `  ${s.caption}`,
  ]
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')
}

/** Files that could not be read: each named with why; their pairs are in no count above. */
function unreadableSection(unreadable: RunReport['unreadable']): string[] {
  const pairs = new Set(unreadable.map((u) => u.dir)).size
  return [
    `unreadable: ${unreadable.length} file(s) of ${pairs} pair(s), left out of every count above (not failed, not running):`,
    ...unreadable.map((u) => `  ${u.run}: ${u.problem}`),
  ]
}

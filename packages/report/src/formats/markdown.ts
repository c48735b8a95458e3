import type { Ablation } from '../model/ablation.js'
import type { Deficit, RefusedComparison } from '../model/deficit.js'
import type { LeaderboardRow } from '../model/leaderboard.js'
import type { RateRow, RunAnalysisReport, RunReport } from '../model/report.js'
import {
  ablationDroppedText,
  ablationHead,
  categoryName,
  columnGroupLabel,
  comparisonName,
  costCell,
  coverageText,
  droppedText,
  judged,
  judgeText,
  LEADERBOARD_NOTE,
  leaderboardKey,
  leaderboardShares,
  MERGE_OUTCOME_NAMES,
  messagingShareText,
  modelText,
  percentNumber,
  pEquals,
  reposOf,
  refusedAblationText,
  repoRow,
  settingCell,
  relativeMethodText,
  relativeText,
  signalsText,
  unitName,
  versusName,
} from './labels.js'
import { type CellStyle, cellText, type TableSection, tableSections } from './table-sections.js'
import { showsPolicies, strategyMixText } from '../model/policy-rates.js'

/**
 * GitHub-flavoured Markdown a paper's README can paste: an overall table (a row per run and
 * setting, with agent, model, rate and strict rate), the pass rate by merge outcome of coop rows,
 * a per-repo table, and per coordination deficit a line with the relative deficit and the
 * difference in points, and its agreement table; then the runs not compared; per coop run with an
 * analysis.json its failure categories with intervals and signals; the communication ablations.
 */
export function renderMarkdown(report: RunReport): string {
  const sections = [...report.policyNotes.map((n) => `> **Note:** ${escapeMarkdown(n)}`), overallTable(report)]
  if (report.leaderboard.length > 0) sections.push(leaderboardTable(report.leaderboard))
  const coops = report.settings.filter((s) => s.setting !== 'solo')
  if (coops.length > 0) sections.push(mergeTable(report))
  if (coops.some(showsPolicies)) sections.push(policyTable(report))
  if (report.settings.length > 0) sections.push(perRepoTable(report))
  for (const d of report.deficits) sections.push(deficitSection(d))
  if (report.refused.length > 0) sections.push(report.refused.map(refusedLine).join('\n'))
  for (const a of report.analyses) sections.push(analysisSection(a))
  for (const a of report.ablations) sections.push(ablationSection(a))
  if (report.refusedAblations.length > 0) sections.push(report.refusedAblations.map((r) => `- ${escapeMarkdown(refusedAblationText(r))}`).join('\n'))
  for (const section of tableSections(report)) sections.push(markdownSection(section))
  return sections.join('\n\n')
}

/** Text for a table cell or a line: Markdown's punctuation and the cell separator taken literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|~#&$]/g, (c) => `\\${c}`).replace(/\s*[\r\n]+\s*/g, ' ')
}

const percent = (x: number | null) => (x === null ? '–' : `${percentNumber(x)}%`)
const interval = (ci: RateRow['ci']) => (ci ? `[${percent(ci.low)}, ${percent(ci.high)}]` : '–')

function overallTable(report: RunReport): string {
  const header = ['run', 'agent', 'model', 'setting', unitName(report), 'evaluated', 'passed', 'failed', 'eval errors', 'rate', '95% CI', 'strict rate', 'cost']
  const align: Align[] = ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'right']
  const rows = report.settings.map((s) => [
    escapeMarkdown(s.runs.join(', ')),
    escapeMarkdown(s.agent ?? '?'),
    escapeMarkdown(modelText(s)),
    escapeMarkdown(settingCell(s)),
    String(s.pairs),
    String(s.evaluated),
    String(s.passed),
    String(s.failed),
    String(s.errors),
    percent(s.rate),
    interval(s.ci),
    percent(s.strict.rate),
    costCell(s, (x) => `$${x.toFixed(2)}`),
  ])
  return markdownTable(header, align, rows)
}

/** A row per agent × model: the comparable solo × coop runs' rates, deficit, strict rate and failure shares, each with its interval. */
function leaderboardTable(rows: LeaderboardRow[]): string {
  const ci = (r: { rate: number; low: number; high: number }) => `${percent(r.rate)} ${interval(r)}`
  const header = [
    'agent',
    'model',
    'communication',
    'runs',
    'pairs',
    'solo',
    'coop/team',
    'relative deficit',
    'strict (coop/team)',
    'passes by strategy',
    'failure shares',
  ]
  const align: Align[] = ['left', 'left', 'left', 'left', 'right', 'left', 'left', 'left', 'left', 'left', 'left']
  const body = rows.map((row) => {
    const key = leaderboardKey(row)
    return [
      escapeMarkdown(key.agent),
      escapeMarkdown(key.model),
      escapeMarkdown(key.setup),
      escapeMarkdown(comparisonName(row)),
      String(row.pairs),
      ci(row.solo),
      ci(row.coop),
      relativeText(row.relative, percent),
      ci(row.strict),
      escapeMarkdown(strategyMixText(row.passesBy)),
      escapeMarkdown(leaderboardShares(row, percent)),
    ]
  })
  return [`**Leaderboard**: ${escapeMarkdown(LEADERBOARD_NOTE)}.`, '', markdownTable(header, align, body)].join('\n')
}

/** A row per coop (or team) run and merge outcome: how often pairs with that merge passed. */
function mergeTable(report: RunReport): string {
  const rows = report.settings
    .filter((s) => s.setting !== 'solo')
    .flatMap((s) => s.byMerge.map((r) => [escapeMarkdown(runName(s)), MERGE_OUTCOME_NAMES[r.outcome], String(r.pairs), String(r.passed), percent(r.rate)]))
  const header = [multiRunHeader(report), 'merge outcome', unitName(report), 'passed', 'pass rate']
  return markdownTable(header, ['left', 'left', 'right', 'right', 'right'], rows)
}

/** Each coop run's rate under every evaluation policy it has verdicts for, both denominators, and the strategies behind the passes. */
function policyTable(report: RunReport): string {
  const rows = report.settings.flatMap((s) =>
    s.policies.map((p) => [
      escapeMarkdown(runName(s)),
      escapeMarkdown(p.policy),
      escapeMarkdown(p.file),
      `${p.evaluated}/${p.pairs}`,
      String(p.passed),
      String(p.failed),
      String(p.errors),
      `${percent(p.rate)} (${p.passed}/${p.passed + p.failed})`,
      `${percent(p.rateWithErrors)} (${p.passed}/${p.evaluated})`,
      escapeMarkdown(strategyMixText(p.passesBy)),
    ]),
  )
  const header = [
    multiRunHeader(report),
    'policy',
    'verdicts',
    'judged',
    'passed',
    'failed',
    'eval errors',
    'rate, errors out',
    'rate, errors in',
    'passes by strategy',
  ]
  return markdownTable(header, ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'], rows)
}

/** A rate with its numerator and denominator: `66.7% (2/3)`; `–` for a run without the repo. */
function rateCell(row: RateRow | null): string {
  return row && row.rate !== null ? `${percent(row.rate)} (${row.passed}/${judged(row)})` : '–'
}

function perRepoTable(report: RunReport): string {
  const header = ['repo']
  const align: Align[] = ['left']
  for (const s of report.settings) {
    const label = escapeMarkdown(columnGroupLabel(s))
    header.push(`${label} rate`, `${label} 95% CI`)
    align.push('right', 'left')
  }
  const rows = reposOf(report).map((repo) => [
    escapeMarkdown(repo),
    ...report.settings.flatMap((s) => {
      const row = repoRow(s, repo)
      return [rateCell(row), row ? interval(row.ci) : '–']
    }),
  ])
  return markdownTable(header, align, rows)
}

/** The run of a coop row, `run (team)` for a team row: the tables of coop and team rows name the setting of a team. */
function runName(s: RunReport['settings'][number]): string {
  return s.setting === 'team' ? `${s.runs.join(', ')} (team)` : s.runs.join(', ')
}

/** `coop run`, or `coop/team run` when the report has team rows. */
function multiRunHeader(report: RunReport): string {
  return report.settings.some((s) => s.setting === 'team') ? 'coop/team run' : 'coop run'
}

const MARKDOWN_CELLS: CellStyle = { percentNumber, percentSign: '%', escape: escapeMarkdown, lessThan: '<' }

/** A section of the section model: its title in bold with what its numbers are, the table, its notes. */
function markdownSection(s: TableSection): string {
  const rows = s.rows.map((r) => r.map((c) => cellText(c, MARKDOWN_CELLS)))
  const lines = [
    `**${escapeMarkdown(s.title)}**: ${escapeMarkdown(s.caption)}`,
    '',
    markdownTable(
      s.columns.map((c) => escapeMarkdown(c.label)),
      s.columns.map((c) => c.align),
      rows,
    ),
  ]
  if (s.notes.length > 0) lines.push('', ...s.notes.map((n) => `- ${escapeMarkdown(n)}`))
  return lines.join('\n')
}

function deficitSection(d: Deficit): string {
  const teams = `${d.teamSize === 2 ? '' : `, teams of ${d.teamSize}`}${d.setting === 'coop' ? '' : `, ${versusName(d)}`}`
  const other = d.setting
  const r = d.relative
  const relative =
    r.value === null ? relativeText(r, percent) : `**${percent(r.value)}** (95% CI [${percent(r.low)}, ${percent(r.high)}], ${relativeMethodText(r)})`
  const dropped = droppedText(d)
  const a = d.agreement
  const lines = [
    `**Coordination deficit** (${escapeMarkdown(comparisonName(d))}${teams}, ${d.pairs} common ${d.teamSize === 2 ? 'pairs' : 'teams'}` +
      `${dropped ? `; dropped: ${dropped}` : ''}): relative deficit (solo − ${other}) / solo ${relative}; ` +
      `difference ${percentNumber(d.difference)} points (95% CI [${percentNumber(d.low)}, ${percentNumber(d.high)}], Newcombe paired); ` +
      `solo ${percent(d.solo)}, ${other} ${percent(d.coop)}; strict: solo ${percent(d.strict.solo)}, ${other} ${percent(d.strict.coop)}, ` +
      `relative deficit ${relativeText(d.strict.relative, percent)}. ` +
      `McNemar exact ${pEquals(d.mcnemar.pValue)}. ${other[0]!.toUpperCase()}${other.slice(1)} passes by strategy: ${escapeMarkdown(strategyMixText(d.passesBy))}.`,
    '',
    markdownTable(
      ['', `${other} passed`, `${other} failed`],
      ['left', 'right', 'right'],
      [
        ['**solo passed**', String(a.bothPass), String(a.soloOnly)],
        ['**solo failed**', String(a.coopOnly), String(a.neither)],
      ],
    ),
  ]
  for (const note of d.notes) lines.push('', `_Note: ${escapeMarkdown(note)}_`)
  return lines.join('\n')
}

function analysisSection(a: RunAnalysisReport): string {
  const lines = [`**Failure analysis** (${escapeMarkdown(a.run)}): ${escapeMarkdown(coverageText(a))}; ${escapeMarkdown(judgeText(a))}.`]
  if (a.judge !== null) {
    const rows = a.categories.map((c) => [escapeMarkdown(categoryName(c.category)), String(c.count), percent(c.share), interval(c.ci)])
    lines.push('', markdownTable(['category', 'failed pairs', 'share', '95% CI'], ['left', 'right', 'right', 'left'], rows))
  }
  lines.push('', `Signals (no model): ${escapeMarkdown(signalsText(a))}.`)
  return lines.join('\n')
}

function ablationSection(a: Ablation): string {
  const dropped = ablationDroppedText(a)
  const rows = a.variants.map((v) => [
    escapeMarkdown(v.run),
    escapeMarkdown(v.mode),
    `${percent(v.success.rate)} (${v.success.count}/${a.pairs})`,
    interval(v.success.ci),
    `${percent(v.conflicts.rate)} (${v.conflicts.count}/${a.pairs})`,
    interval(v.conflicts.ci),
    messagingShareText(v, percent),
  ])
  const header = ['coop run', 'communication', 'success', '95% CI', 'merge conflicts', '95% CI', 'steps on messaging']
  return [
    `**Communication ablation** (${ablationHead(a)}${a.pairs} pairs judged in every run${dropped ? `; dropped: ${dropped}` : ''}):`,
    '',
    markdownTable(header, ['left', 'left', 'right', 'left', 'right', 'left', 'right'], rows),
  ].join('\n')
}

function refusedLine(r: RefusedComparison): string {
  const reasons = escapeMarkdown(r.reasons.join('; '))
  return `- Not compared: ${escapeMarkdown(r.soloRun)} (solo) vs ${escapeMarkdown(r.coopRun)} (${r.setting}): ${reasons}`
}

type Align = 'left' | 'right'

function markdownTable(header: string[], align: Align[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  const rule = align.map((a) => (a === 'right' ? '---:' : ':---'))
  return [line(header), line(rule), ...rows.map(line)].join('\n')
}

import type { Deficit } from '../model/deficit.js'
import { strategyMixText } from '../model/policy-rates.js'
import type { RunReport, SettingReport } from '../model/report.js'
import { deficitName, droppedText, MERGE_OUTCOME_NAMES, percentNumber, pEquals, relativeMethodText, runList, settingName } from './labels.js'
import { subsetEntriesMissingText } from './labels.js'
import { cellText, isEmptyCell, PLAIN_CELLS } from './sections/cells.js'
import { type Cell, type ColumnOf, columnsIn, cost, count, interval, type OwnLayouts, ownLayout, pointsInterval } from './sections/section-model.js'
import { rate, relative, type TableSection, tableOf, text } from './sections/section-model.js'
import { tableSections } from './table-sections.js'
import { table } from './text-table.js'

const cell = (c: Cell) => cellText(c, PLAIN_CELLS)
const pct = (x: number | null) => cell(rate(x))

/**
 * The terminal report (`--format text`, the default): the policy notes, then every section, each
 * a titled, indented table with its notes and what its numbers are; the runs and the deficits
 * keep their own layout (`TEXT_LAYOUTS`).
 */
export function formatReport(report: RunReport): string {
  const out = report.policyNotes.map((note) => `note: ${note}`)
  if (out.length > 0) out.push('')
  for (const section of tableSections(report)) {
    const lines = ownLayout(TEXT_LAYOUTS, section)?.() ?? textSection(section)
    if (lines.length > 0) out.push(...lines, '')
  }
  return out.join('\n').trimEnd()
}

/** A section of the section model: its title, the table, its notes and what its numbers are; an untitled one is the table alone. */
function textSection(s: TableSection): string[] {
  // A long cell (the failure shares) that no row has says nothing.
  const columns = columnsIn(s, 'text').filter(({ column, index }) => !column.wide || s.rows.some((r) => !isEmptyCell(r[index] as Cell)))
  const rows = s.rows.map((r) => columns.map(({ index }) => r[index] as Cell))
  const body = s.rows.length === 0 ? [] : [textTable({ columns: columns.map(({ column }) => column), rows })]
  if (!s.title) return body
  return [`${lowerFirst(s.title)}:`, ...body.map(indent), ...s.notes.map((n) => `  note: ${n}`), `  ${lowerFirst(s.caption)}`]
}

/**
 * A block per run (its counts, merge outcomes and per-repo table, the merge and per-repo sections
 * of the other formats) and the deficits in sentences: what a terminal reader has always seen.
 */
const TEXT_LAYOUTS: OwnLayouts<string[]> = {
  runs: ({ settings }) => settings.flatMap((s, i) => [...(i > 0 ? [''] : []), ...runBlock(s)]),
  merge: () => [],
  'per-repo': () => [],
  deficits: ({ deficits }) => deficits.flatMap((d, i) => [...(i > 0 ? [''] : []), ...deficitLines(d)]),
}

function runBlock(s: SettingReport): string[] {
  const interrupted = s.interrupted ? ' — interrupted: rates cover its finished pairs only' : ''
  const own = s.policies.find((p) => p.file === 'eval.json')
  const policy = own === undefined ? '' : `, evaluation policy ${own.policy}`
  const counts = textTable(tableOf(runColumns(s.teamSize === 2), [s]))
  const out = [`${settingName(s)} (${runList(s)})${policy}${interrupted}`, counts]
  if (s.failures.infra + s.failures.dataset + s.failures.agent > 0) {
    const dataset = s.failures.dataset > 0 ? `, ${s.failures.dataset} a dataset defect` : ''
    out.push(`agents that did not submit: ${s.failures.infra} infrastructure (rerun retries them)${dataset}, ${s.failures.agent} the agent's own`)
  }
  if (s.errors > 0) out.push(`eval errors: ${s.errors} pair(s) could not be evaluated; they are left out of every rate`)
  if (s.subsetEntriesMissing.length > 0) out.push(subsetEntriesMissingText(s))
  if (s.setting !== 'solo') {
    const m = s.merge
    out.push(`merge: clean ${m.clean}, conflicts ${m.conflicts} (tested via union ${m.union}), missing input ${m.missing_input}, eval errors ${m.error}`)
    const byMerge = s.byMerge.map((r) => `${MERGE_OUTCOME_NAMES[r.outcome]} ${r.passed}/${r.pairs}${r.rate === null ? '' : ` (${pct(r.rate)})`}`)
    out.push(`pass rate by merge outcome: ${byMerge.join(', ')}`)
  }
  out.push(textTable(tableOf(REPO_COLUMNS, s.perRepo)))
  return out
}

/** A run's counts: a header of pairs, or of teams for teams larger than two. */
function runColumns(pairs: boolean): Array<ColumnOf<SettingReport>> {
  return [
    { label: pairs ? 'pairs' : 'teams', align: 'right', cell: (s) => count(s.pairs) },
    { label: 'evaluated', align: 'right', cell: (s) => count(s.evaluated) },
    { label: pairs ? 'both passed' : 'all passed', align: 'right', cell: (s) => count(s.passed) },
    { label: 'failed', align: 'right', cell: (s) => count(s.failed) },
    { label: 'eval errors', align: 'right', cell: (s) => count(s.errors) },
    { label: 'rate', align: 'right', cell: (s) => rate(s.rate) },
    { label: '95% CI', cell: (s) => interval(s.ci) },
    { label: 'strict rate', align: 'right', cell: (s) => rate(s.strict.rate) },
    { label: 'cost', align: 'right', cell: cost },
  ]
}

const REPO_COLUMNS: Array<ColumnOf<SettingReport['perRepo'][number]>> = [
  { label: 'repo', cell: (r) => text(r.repo) },
  { label: 'pairs', align: 'right', cell: (r) => count(r.pairs) },
  { label: 'passed', align: 'right', cell: (r) => count(r.passed) },
  { label: 'failed', align: 'right', cell: (r) => count(r.failed) },
  { label: 'eval errors', align: 'right', cell: (r) => count(r.errors) },
  { label: 'rate', align: 'right', cell: (r) => rate(r.rate) },
  { label: '95% CI', cell: (r) => interval(r.ci) },
]

/** Columns and rows of the section model as an aligned plain-text table. */
function textTable({ columns, rows }: Pick<TableSection, 'columns' | 'rows'>): string {
  const header = columns.map((column) => column.header?.text ?? column.label)
  const align = columns.map((column) => column.align ?? 'left')
  return table(
    header,
    rows.map((r) => r.map(cell)),
    align,
  )
}

function deficitLines(d: Deficit): string[] {
  const relativeText = (estimate: Deficit['relative']) => cell(relative(estimate))
  const headline = d.relative.value === null ? relativeText(d.relative) : `${relativeText(d.relative)} (${relativeMethodText(d.relative)})`
  const dropped = droppedText(d)
  const a = d.agreement
  const other = d.setting
  return [
    `coordination deficit (${deficitName(d)}): ${d.pairs} common pairs${dropped ? `; dropped: ${dropped}` : ''}`,
    `  relative deficit, (solo − ${other}) / solo: ${headline}`,
    `  difference, solo − ${other}: ${percentNumber(d.difference)} points, 95% CI ${cell(pointsInterval(d))} (Newcombe, paired)`,
    `  rates on the common pairs: solo ${pct(d.solo)}, ${other} ${pct(d.coop)}; strict: solo ${pct(d.strict.solo)}, ${other} ${pct(d.strict.coop)}` +
      `, relative deficit ${relativeText(d.strict.relative)}`,
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
}

const lowerFirst = (t: string) => `${t.charAt(0).toLowerCase()}${t.slice(1)}`

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')
}

import type { Deficit } from '../model/deficit.js'
import { strategyMixText } from '../model/policy-rates.js'
import type { RunReport, SettingReport } from '../model/report.js'
import { comparisonName, droppedText, MERGE_OUTCOME_NAMES, percentNumber, pEquals, relativeMethodText, subsetEntriesMissingText, versusName } from './labels.js'
import { type CellStyle, cellText, isEmptyCell } from './sections/cells.js'
import { type Cell, columnsIn, interval, type OwnLayouts, ownLayout, rate, type TableSection } from './sections/section-model.js'
import { tableSections } from './table-sections.js'
import { table } from './text-table.js'

const TEXT_CELLS: CellStyle = {
  percentNumber,
  percentSign: '%',
  escape: (t) => t,
  lessThan: '<',
  money: (x) => `$${x.toFixed(2)}`,
  atLeast: '≥ ',
  compact: false,
}
const cell = (c: Cell) => cellText(c, TEXT_CELLS)
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
  const body =
    s.rows.length === 0
      ? []
      : [
          table(
            columns.map(({ column }) => column.header?.text ?? column.label),
            s.rows.map((r) => columns.map(({ index }) => cell(r[index] as Cell))),
            columns.map(({ column }) => column.align ?? 'left'),
          ),
        ]
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
  const pairs = s.teamSize === 2
  const out = [
    `${s.setting}${pairs ? '' : `, teams of ${s.teamSize}`} (${s.runs.join(', ')})${policy}${interrupted}`,
    table(
      [pairs ? 'pairs' : 'teams', 'evaluated', pairs ? 'both passed' : 'all passed', 'failed', 'eval errors', 'rate', '95% CI', 'strict rate', 'cost'],
      [
        [
          s.pairs,
          s.evaluated,
          s.passed,
          s.failed,
          s.errors,
          pct(s.rate),
          cell(interval(s.ci)),
          pct(s.strict.rate),
          cell({ kind: 'cost', cost: s.cost, unknownPairs: s.costUnknownPairs, pairs: s.pairs }),
        ],
      ],
      ['right', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'right'],
    ),
  ]
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
  const repos = s.perRepo.map((r) => [
    r.repo,
    r.pairs,
    r.passed,
    r.failed,
    r.errors,
    pct(r.rate),
    r.ci ? cellText({ kind: 'interval', ...r.ci }, TEXT_CELLS) : '–',
  ])
  out.push(table(['repo', 'pairs', 'passed', 'failed', 'eval errors', 'rate', '95% CI'], repos, ['left', 'right', 'right', 'right', 'right', 'right', 'left']))
  return out
}

function deficitLines(d: Deficit): string[] {
  const teams = d.teamSize === 2 ? '' : `, teams of ${d.teamSize}`
  const relativeText = (estimate: Deficit['relative']) => cell({ kind: 'relative', estimate })
  const relative = d.relative.value === null ? relativeText(d.relative) : `${relativeText(d.relative)} (${relativeMethodText(d.relative)})`
  const dropped = droppedText(d)
  const a = d.agreement
  const other = d.setting
  const versus = d.setting === 'coop' ? '' : `, ${versusName(d)}`
  return [
    `coordination deficit (${comparisonName(d)}${teams}${versus}): ${d.pairs} common pairs${dropped ? `; dropped: ${dropped}` : ''}`,
    `  relative deficit, (solo − ${other}) / solo: ${relative}`,
    `  difference, solo − ${other}: ${percentNumber(d.difference)} points, 95% CI ${cell({ kind: 'interval', low: d.low, high: d.high, points: true })} (Newcombe, paired)`,
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

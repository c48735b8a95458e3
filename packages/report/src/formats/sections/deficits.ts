import type { Deficit } from '../../model/deficit.js'
import { strategyMixText } from '../../model/policy-rates.js'
import { deficitName, droppedText, pEquals, relativeMethodText } from '../labels.js'
import { type CsvFields, count, csvRecords, em, estimate, formatOnly, line, markup, type ProseBlock, points, pointsInterval, pValue } from './section-model.js'
import { rate, rateFields, relative, type ReportCell, type ReportSection, seq, strong, text } from './section-model.js'

const CAPTION =
  'Coordination deficit on the pairs judged in both settings: relative deficit (solo − coop) / solo with a Jeffreys 95% interval ' +
  '(Dirichlet posterior of the agreement table; not estimable when solo passed no pair), ' +
  "the difference in points with Newcombe's paired 95% interval, the agreement counts (both pass / solo only / coop only / neither) " +
  "and McNemar's exact p."

/** Deficits as sentences and agreement tables (text, Markdown), a column per comparison (LaTeX: eight measures would not fit a row), CSV records. */
export function deficitSections(deficits: Deficit[]): ReportSection[] {
  return [
    ...deficits.map((d) => formatOnly('text', 'deficit', { prose: { blocks: textLines(d), indent: true } })),
    ...deficits.map((d) => formatOnly('md', 'deficit', { prose: { blocks: markdownParagraph(d) } })),
    latexTable(deficits),
    ...deficits.flatMap(deficitRecords),
  ]
}

/** Solo's and the other setting's passes and fails on the common pairs. */
function agreement(d: Deficit): ProseBlock {
  const a = d.agreement
  const columns = [{ label: '' }, { label: `${d.setting} passed`, align: 'right' as const }, { label: `${d.setting} failed`, align: 'right' as const }]
  const rows = [
    [strong(text('solo passed')), count(a.bothPass), count(a.soloOnly)],
    [strong(text('solo failed')), count(a.coopOnly), count(a.neither)],
  ]
  return { table: { columns, rows } }
}

function textLines(d: Deficit): ProseBlock[] {
  const [o, r, dropped] = [d.setting, d.relative, droppedText(d)]
  const method = r.value === null ? '' : ` (${relativeMethodText(r)})`
  const discordant = `${d.mcnemar.discordant} discordant pair${d.mcnemar.discordant === 1 ? '' : 's'}`
  const strict = line`; strict: solo ${rate(d.strict.solo)}, ${o} ${rate(d.strict.coop)}, relative deficit ${relative(d.strict.relative)}`.line
  return [
    line`coordination deficit (${deficitName(d)}): ${d.pairs} common pairs${dropped ? `; dropped: ${dropped}` : ''}`,
    line`relative deficit, (solo − ${o}) / solo: ${relative(r)}${method}`,
    line`difference, solo − ${o}: ${points(d.difference)} points, 95% CI ${pointsInterval(d)} (Newcombe, paired)`,
    line`rates on the common pairs: solo ${rate(d.solo)}, ${o} ${rate(d.coop)}${strict}`,
    ...(d.passesBy ? [line`${o} passes by strategy: ${strategyMixText(d.passesBy)}`] : []),
    agreement(d),
    line`McNemar (exact binomial): ${pEquals(d.mcnemar.pValue)}, ${discordant}`,
    ...d.notes.map((n) => line`note: ${n}`),
  ]
}

function markdownParagraph(d: Deficit): ProseBlock[] {
  const [o, r, dropped] = [d.setting, d.relative, droppedText(d)]
  const ci = line` (95% CI [${rate(r.low)}, ${rate(r.high)}], ${relativeMethodText(r)})`.line
  const headline = r.value === null ? relative(r) : seq(strong(rate(r.value)), ci)
  const rates = line`solo ${rate(d.solo)}, ${o} ${rate(d.coop)}; strict: solo ${rate(d.strict.solo)}, ${o} ${rate(d.strict.coop)}`.line
  const passes = d.passesBy ? line` ${o[0]!.toUpperCase()}${o.slice(1)} passes by strategy: ${text(strategyMixText(d.passesBy))}.`.line : text('')
  const pairs = `${d.pairs} common pairs${dropped ? `; dropped: ${dropped}` : ''}`
  return [
    line`${strong(markup('Coordination deficit'))} (${text(deficitName(d))}, ${pairs}): relative deficit (solo − ${o}) / solo ${headline}; \
difference ${points(d.difference)} points (95% CI ${pointsInterval(d)}, Newcombe paired); ${rates}, relative deficit ${relative(d.strict.relative)}. \
McNemar exact ${pEquals(d.mcnemar.pValue)}.${passes}`,
    agreement(d),
    ...d.notes.map((n) => line`${em(seq(markup('Note: '), text(n)))}`),
  ]
}

/** LaTeX: a row per measure, a column per comparison. */
function latexTable(deficits: Deficit[]): ReportSection {
  const others = [...new Set(deficits.map((d) => d.setting).filter((s) => s !== 'coop'))]
  const name = (d: Deficit) => `${d.soloRun} vs ${d.coopRun}${d.setting === 'coop' ? '' : ` (${d.setting})`}${d.pairSize === 2 ? '' : ` (${d.pairSize})`}`
  const measures: Array<[ReportCell, (d: Deficit) => ReportCell]> = [
    [text('Common pairs'), (d) => count(d.pairs)],
    [text(`Solo / coop${others.map((s) => ` or ${s}`).join('')} (%)`), (d) => seq(rate(d.solo), text(' / '), rate(d.coop))],
    [markup('Relative deficit (\\%) [95\\% CI]'), (d) => relative(d.relative)],
    [markup('Difference (points) [95\\% CI]'), (d) => estimate({ rate: d.difference, low: d.low, high: d.high })],
    [markup('Strict relative deficit (\\%) [95\\% CI]'), (d) => relative(d.strict.relative)],
    [text('Both / solo only / coop only / neither'), ({ agreement: a }) => text([a.bothPass, a.soloOnly, a.coopOnly, a.neither].join(' / '))],
    [markup("McNemar's exact $p$"), (d) => pValue(d.mcnemar.pValue)],
    ...(others.length > 0
      ? [[text('Passes by strategy'), (d: Deficit) => text(d.passesBy ? strategyMixText(d.passesBy) : '–')] as [ReportCell, (d: Deficit) => ReportCell]]
      : []),
  ]
  const columns = [{ label: '' }, ...deficits.map((d) => ({ label: name(d), align: 'right' as const, header: { latex: name(d) } }))]
  const rows = measures.map(([label, of]) => [label, ...deficits.map(of)])
  return formatOnly('latex', 'deficit', { columns, rows, caption: CAPTION })
}

/** CSV: the relative deficit, the difference in points and the strict relative deficit, each a record with the agreement table, then the passes per strategy. */
function deficitRecords(d: Deficit): ReportSection[] {
  const a = d.agreement
  const comparison = { run: `${d.soloRun} vs ${d.coopRun}`, setting: `solo-${d.setting}`, pair_size: d.pairSize, pairs: d.pairs }
  const head = {
    ...comparison,
    ...{ both_pass: a.bothPass, solo_only: a.soloOnly, coop_only: a.coopOnly, neither: a.neither, mcnemar_p: d.mcnemar.pValue },
    dropped: d.dropped.soloOnly + d.dropped.coopOnly + d.dropped.notJudgedInBoth,
    note: d.notes.join('; ') || null,
  }
  const why = [d.relative.notEstimable, ...d.notes].filter(Boolean).join('; ') || null
  return [
    csvRecords('relative_deficit', [d], () => ({ ...head, ...rateFields(d.relative.value, d.relative), note: why })),
    csvRecords('deficit_points', [d], () => ({ ...head, ...rateFields(d.difference, d) })),
    csvRecords('strict_relative_deficit', [d], () => ({ ...head, ...rateFields(d.strict.relative.value, d.strict.relative) })),
    strategyRecords('passes_by_strategy', comparison, d.passesBy),
  ]
}

/** CSV: the strategies behind a run's passes, a record each: the passes and their share. */
export function strategyRecords(id: string, head: CsvFields, mix: Deficit['passesBy']): ReportSection {
  const total = Object.values(mix ?? {}).reduce((x, y) => x + y, 0)
  const strategies = Object.entries(mix ?? {}).filter(([, n]) => n > 0)
  return csvRecords(id, strategies, ([strategy, n]) => ({ ...head, measure: strategy, count: n, rate: n / total }))
}

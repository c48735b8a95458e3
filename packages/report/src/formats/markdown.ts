import type { Deficit } from '../model/deficit.js'
import { strategyMixText } from '../model/policy-rates.js'
import type { RunReport } from '../model/report.js'
import { deficitName, droppedText, percentNumber, pEquals, relativeMethodText, repoRow, reposOf, rowName } from './labels.js'
import { type CellStyle, cellText, PLAIN_CELLS } from './sections/cells.js'
import { type Cell, columnsIn, interval, type OwnLayouts, ownLayout, rate, rateOfJudged, relative, type TableSection } from './sections/section-model.js'
import { tableSections } from './table-sections.js'

const MARKDOWN_CELLS: CellStyle = { ...PLAIN_CELLS, escape: escapeMarkdown }
const cell = (c: Cell) => cellText(c, MARKDOWN_CELLS)
const percent = (x: number | null) => cell(rate(x))

/**
 * GitHub-flavoured Markdown a paper's README can paste: the policy notes, then every section, each
 * its title in bold with what its numbers are, the table and its notes; the overall tables are
 * bare tables, the per-repo table and the deficits keep their own layout (`MARKDOWN_LAYOUTS`).
 */
export function renderMarkdown(report: RunReport): string {
  const parts = report.policyNotes.map((n) => `> **Note:** ${escapeMarkdown(n)}`)
  for (const section of tableSections(report)) parts.push(ownLayout(MARKDOWN_LAYOUTS, section)?.() ?? markdownSection(section))
  return parts.join('\n\n')
}

/** Text for a table cell or a line: Markdown's punctuation and the cell separator taken literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|~#&$]/g, (c) => `\\${c}`).replace(/\s*[\r\n]+\s*/g, ' ')
}

/** A section of the section model: its title in bold with what its numbers are, the table, its notes; an untitled one is the table and its notes. */
function markdownSection(s: TableSection): string {
  const columns = columnsIn(s, 'md')
  const table = markdownTable(
    columns.map(({ column }) => escapeMarkdown(column.header?.md ?? column.label)),
    columns.map(({ column }) => column.align ?? 'left'),
    s.rows.map((r) => columns.map(({ index }) => cell(r[index] as Cell))),
  )
  const notes = s.notes.length > 0 ? ['', ...s.notes.map((n) => `- ${escapeMarkdown(n)}`)] : []
  if (!s.title) return [table, ...notes].join('\n')
  const lines = [`**${escapeMarkdown(s.title)}**: ${escapeMarkdown(s.caption)}`]
  if (s.rows.length > 0) lines.push('', table)
  lines.push(...notes)
  return lines.join('\n')
}

/** A column group per run in the per-repo table (a README shows few runs), and the deficits in sentences with their agreement table. */
const MARKDOWN_LAYOUTS: OwnLayouts<string> = {
  'per-repo': ({ settings }) => {
    const groups = settings.map((s) => escapeMarkdown(rowName(s)))
    const header = ['repo', ...groups.flatMap((group) => [`${group} rate`, `${group} 95% CI`])]
    const rows = reposOf(settings).map((repo) => [
      escapeMarkdown(repo),
      ...settings.flatMap((s) => {
        const row = repoRow(s, repo)
        return row ? [cell(rateOfJudged(row)), cell(interval(row.ci))] : ['–', '–']
      }),
    ])
    return markdownTable(header, ['left', ...settings.flatMap(() => ['right', 'left'] as const)], rows)
  },
  deficits: ({ deficits }) => deficits.map(deficitParagraph).join('\n\n'),
}

function deficitParagraph(d: Deficit): string {
  const other = d.setting
  const r = d.relative
  const headline = r.value === null ? cell(relative(r)) : `**${percent(r.value)}** (95% CI [${percent(r.low)}, ${percent(r.high)}], ${relativeMethodText(r)})`
  const dropped = droppedText(d)
  const a = d.agreement
  const lines = [
    `**Coordination deficit** (${escapeMarkdown(deficitName(d))}, ${d.pairs} common ${d.teamSize === 2 ? 'pairs' : 'teams'}` +
      `${dropped ? `; dropped: ${dropped}` : ''}): relative deficit (solo − ${other}) / solo ${headline}; ` +
      `difference ${percentNumber(d.difference)} points (95% CI [${percentNumber(d.low)}, ${percentNumber(d.high)}], Newcombe paired); ` +
      `solo ${percent(d.solo)}, ${other} ${percent(d.coop)}; strict: solo ${percent(d.strict.solo)}, ${other} ${percent(d.strict.coop)}, ` +
      `relative deficit ${cell(relative(d.strict.relative))}. ` +
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

function markdownTable(header: string[], align: Array<'left' | 'right'>, rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  const rule = align.map((a) => (a === 'right' ? '---:' : ':---'))
  return [line(header), line(rule), ...rows.map(line)].join('\n')
}

import { describe, expect, it } from 'vitest'
import { escapeLatex, renderLatex } from '../../../src/report-formats/latex.js'
import { reportOf, TWO_RUNS } from './pair-folders.js'

/**
 * What makes a booktabs tabular compile and look right, checked without LaTeX: the rules in
 * order, every row with as many cells as the column spec has columns (a `\multicolumn{n}` counts
 * n; an unescaped `&` in a name would add one), braces balanced and math mode closed.
 */
function checkTabular(tabular: string): void {
  const lines = tabular.split('\n')
  const spec = /^\\begin\{tabular\}\{([lrc]+)\}$/.exec(lines[0]!)
  expect(spec, lines[0]).not.toBeNull()
  expect(lines.at(-1)).toBe('\\end{tabular}')
  const rules = lines.filter((l) => /^\\(top|mid|bottom)rule$/.test(l))
  expect(rules).toEqual(['\\toprule', '\\midrule', '\\bottomrule'])
  expect(lines[1]).toBe('\\toprule')
  expect(lines.at(-2)).toBe('\\bottomrule')
  for (const row of lines.filter((l) => l.endsWith(' \\\\'))) {
    const cells = row.slice(0, -3).split(/(?<!\\)&/)
    const width = cells.reduce((sum, cell) => sum + Number(/\\multicolumn\{(\d+)\}/.exec(cell)?.[1] ?? 1), 0)
    expect(width, row).toBe(spec![1]!.length)
    expect(row, 'a cell starting with [ would be read as the row spacing of the line before').not.toMatch(/^\s*\[/)
  }
  const unescaped = (c: string) => (tabular.match(new RegExp(`(?<!\\\\)\\${c}`, 'g')) ?? []).length
  expect(unescaped('{')).toBe(unescaped('}'))
  expect(unescaped('$') % 2).toBe(0)
}

const tabularsOf = (latex: string) => latex.match(/\\begin\{tabular\}[\s\S]*?\\end\{tabular\}/g) ?? []

describe('latex report', () => {
  it('renders captioned tables: overall (agent, model, strict), merge outcomes, per-repo and the paired deficit', async () => {
    const latex = renderLatex(await reportOf(TWO_RUNS))
    const tabulars = tabularsOf(latex)
    expect(tabulars).toHaveLength(4)
    for (const t of tabulars) checkTabular(t)
    expect(latex.match(/\\begin\{table\}\[t\]\n\\centering\n\\footnotesize\n\\setlength\{\\tabcolsep\}\{4pt\}\n\\begin\{tabular\}/g)).toHaveLength(4)
    expect(latex.match(/\\end\{tabular\}\n\\caption\{[^}]+\}\n\\label\{tab:cooperbench-[a-z-]+\}\n\\end\{table\}/g)).toHaveLength(4)
    expect(tabulars[0]).toContain('\noracle & m & solo & 3/4 & 0 & 75.0 & [30.1, 95.4] & 75.0 & 2.50 \\\\\n')
    expect(tabulars[0]).toContain('\noracle & m & coop & 1/2 & 1 & 50.0 & [9.5, 90.5] & 50.0 & 1.50 \\\\\n')
    expect(tabulars[1]).toContain('\noracle & m & conflicts, union-merged & 0/1 & 0.0 \\\\\n')
    expect(tabulars[2]).toContain(
      ' & \\multicolumn{2}{c}{solo-run (solo)} & \\multicolumn{2}{c}{coop-run (coop)} \\\\\n\\cmidrule(lr){2-3} \\cmidrule(lr){4-5}\n',
    )
    expect(tabulars[2]).toContain('\na\\_task & 100.0 (2/2) & [34.2, 100.0] & 50.0 (1/2) & [9.5, 90.5] \\\\\n')
    expect(tabulars[2]).toContain('\nb\\_task & 50.0 (1/2) & [9.5, 90.5] & -- & -- \\\\\n')
    // A column per comparison, a row per measure; a negative bound gets a real minus sign.
    expect(tabulars[3]).toContain('\n & solo-run vs coop-run \\\\\n')
    expect(tabulars[3]).toContain('\nRelative deficit (\\%) [95\\% CI] & 50.0 [0.0, 100.0] \\\\\n')
    expect(tabulars[3]).toContain('\nDifference (points) [95\\% CI] & 50.0 [$-$27.3, 90.5] \\\\\n')
    expect(tabulars[3]).toContain('\nBoth / solo only / coop only / neither & 1 / 1 / 0 / 0 \\\\\n')
  })

  it('escapes the specials of names, so the tabulars keep their shape', async () => {
    const name = '[p&l]_50%#1 {x} ~^\\ $y'
    const latex = renderLatex(await reportOf({ [name]: [{ setting: 'solo', repo: 'r&d_task', verdict: 'pass' }] }))
    const tabulars = tabularsOf(latex)
    expect(tabulars).toHaveLength(2)
    for (const t of tabulars) checkTabular(t)
    const escaped = '{[}p\\&l{]}\\_50\\%\\#1 \\{x\\} \\textasciitilde{}\\textasciicircum{}\\textbackslash{} \\$y'
    expect(escapeLatex(name)).toBe(escaped)
    expect(tabulars[1]).toContain(`\\multicolumn{2}{c}{${escaped} (solo)}`)
    expect(tabulars[1]).toContain('\nr\\&d\\_task & 100.0 (1/1) & [20.7, 100.0] \\\\\n')
    expect(escapeLatex('a--b')).toBe('a-{}-b')
  })
})

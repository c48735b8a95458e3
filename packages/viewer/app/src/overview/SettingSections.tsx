import { cellText, PLAIN_CELLS } from '@cooperbench/spec-utils/report'
import type { ReportSection } from '../../../src/model.ts'
import { TableHead } from '../TableHead.tsx'

/** Sections of the installed settings (the overview's: the team's runs and ablations; a pair page's), each as Markdown shows it. */
export function SettingSections({ sections }: { sections: ReportSection[] }) {
  return sections.map((s) => {
    const columns = s.columns.map((column, index) => ({ column, index })).filter(({ column }) => !column.only || column.only.includes('md'))
    return (
      <section key={s.id} class="setting-section" data-section={s.id}>
        <h2>{s.title}</h2>
        {s.rows.length > 0 && (
          <table class="numbers">
            <TableHead columns={columns.map(({ column }) => column.header?.md ?? column.label)} />
            <tbody>
              {s.rows.map((row, i) => (
                <tr key={i}>
                  {columns.map(({ index }) => (
                    <td key={index}>{cellText(row[index]!, PLAIN_CELLS)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {s.notes.map((n) => (
          <p key={n} class="deficit-line note">{`note: ${n}`}</p>
        ))}
        <p class="caption">{s.caption}</p>
      </section>
    )
  })
}

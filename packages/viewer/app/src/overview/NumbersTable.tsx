import type { SettingReport } from '../../../src/model.ts'
import { costText, interval, percent } from '../format.ts'
import { pairsHref } from '../router.ts'
import { TableHead } from '../TableHead.tsx'
import { rowName, size } from './rows.ts'

/** Every report row's numbers in one table; a rate of an unfinished run is marked partial. */
export function NumbersTable({ rows, partial }: { rows: SettingReport[]; partial: (row: SettingReport) => boolean }) {
  return (
    <section>
      <h2>Numbers</h2>
      <table class="numbers">
        <TableHead
          columns={[
            'run',
            'setting',
            'pairs',
            'passed',
            'failed',
            'eval errors',
            'rate',
            '95% CI',
            'strict rate',
            'not submitted (infra/dataset/agent)',
            'cost',
          ]}
        />
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.runs[0]}-${row.setting}-${row.pairSize}`}>
              <td>
                <a href={pairsHref({ run: row.runs[0], setting: row.setting })}>{row.runs[0]}</a>
              </td>
              <td>{rowName(row)}</td>
              <td>{row.pairs}</td>
              <td>{row.passed}</td>
              <td>{row.failed}</td>
              <td>{row.errors}</td>
              <td>
                <a href={pairsHref({ run: row.runs[0], setting: row.setting, size: size(row) })}>{percent(row.rate)}</a>
                {partial(row) && <span class="badge partial">partial</span>}
              </td>
              <td>{interval(row.ci)}</td>
              <td>{percent(row.strict.rate)}</td>
              <td>{`${row.failures.infra}/${row.failures.dataset}/${row.failures.agent}`}</td>
              <td>{costText(row.cost, row.costUnknownPairs, row.pairs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="caption">
        rate: pairs whose features all pass after the merge, over pairs passed or failed (union-merge fallback included, as the reference scores); strict: the
        merge was clean as well. eval errors: the evaluation could not run (not a failure); they are in no rate.
      </p>
    </section>
  )
}

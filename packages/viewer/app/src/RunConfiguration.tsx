import type { RunOverview } from '../../src/model.ts'

/** `limits.step_limit → 100`: the leaves of a fingerprint, one row each. */
function leaves(value: unknown, prefix = ''): Array<[string, string]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [[prefix, JSON.stringify(value)]]
  return Object.entries(value).flatMap(([key, item]) => leaves(item, prefix ? `${prefix}.${key}` : key))
}

/** What a run was configured with (config.json): each setting's fingerprint, the dataset commit and the resolved settings, folded. */
export function RunConfiguration({ run }: { run: RunOverview }) {
  const configuration = run.configuration
  if (configuration === null) return null
  const source = configuration.settings?.dataset_source as { repo?: string; revision?: string; commit?: string | null } | null | undefined
  return (
    <details class="run-config" data-run={run.name}>
      <summary>{`configuration of ${run.name}`}</summary>
      <p class="dataset-source">
        {source
          ? `dataset: ${source.repo ?? '?'}@${source.revision ?? '?'}, commit ${source.commit ?? 'unknown'}`
          : 'dataset: not fetched by dataset download (no commit recorded)'}
      </p>
      {Object.entries(configuration.fingerprints).map(([setting, fingerprint]) => (
        <table key={setting} class="fingerprint" data-setting={setting}>
          <caption>{`${setting} fingerprint`}</caption>
          <tbody>
            {leaves(fingerprint).map(([key, value]) => (
              <tr key={key}>
                <th>{key}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {configuration.settings && <pre class="settings">{JSON.stringify(configuration.settings, null, 2)}</pre>}
    </details>
  )
}

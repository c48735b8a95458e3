import type { PairFolder } from '@cooperbench/results'

/** Notes for runs whose pairs differ in `config_hash` (some rerun with `--force` after a plugin version or option changed). */
export function mixedConfigurationNotes(runs: ReadonlyArray<{ name: string; pairs: PairFolder[] }>): string[] {
  return runs.flatMap((run) => {
    const bySetting = new Map<string, Set<string>>()
    for (const pair of run.pairs) {
      const hash = pair.result?.config_hash
      if (typeof hash !== 'string') continue
      bySetting.set(pair.setting, (bySetting.get(pair.setting) ?? new Set()).add(hash))
    }
    return [...bySetting].flatMap(([setting, hashes]) =>
      hashes.size > 1
        ? [
            `${run.name} (${setting}): its pairs were made under ${hashes.size} configurations (result.json config_hash), such as another plugin version; its rate pools them`,
          ]
        : [],
    )
  })
}

import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/**
 * The root of `@cooperbench/core` is what plugin authors need and nothing more; the harness's
 * own machinery lives behind subpaths. Checked on the built declarations, types included.
 */
const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string; default: string }> }
const entries = Object.entries(manifest.exports).filter((entry): entry is [string, { types: string; default: string }] => typeof entry[1] === 'object')

function exportedNames(declarationFiles: string[]): Map<string, string[]> {
  const program = ts.createProgram(declarationFiles, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true })
  const checker = program.getTypeChecker()
  return new Map(
    declarationFiles.map((file) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!
      return [file, checker.getExportsOfModule(symbol).map((s) => s.name)]
    }),
  )
}

describe('the public surface of @cooperbench/core', () => {
  const files = entries.map(([, target]) => join(PACKAGE, target.types))
  const names = exportedNames(files)
  const rootNames = names.get(join(PACKAGE, manifest.exports['.'] && (manifest.exports['.'] as { types: string }).types))!

  it('keeps the root under 143 names (values and types), the contracts and definePlugin among them', () => {
    // 124 with the agents' run limits (`AgentLimits`, `enforcedLimits`) and options declared once (`OptionsSchema`, `OptionsOf`, `optionsDefaults`);
    // 126 with the evaluation policies' contract types (`EvaluationPolicy`, `MergeStrategy`; their values are at the spec's root too);
    // 140 with the setting's contract (`Setting`, `SettingPair`, `Seat`, `SeatOutcome`, `JudgedPatches`, … the fifth plugin kind);
    // 141 with where an agent's own patch came from (`SubmittedPatchSource`: patch.txt or the text after the submit marker);
    // 155 with the coordination surface (`Coordination`, `SeatTool`, `Briefing`, …), seats started at run time and carried
    // (`RunningSeat`, `SeatContinuation`, `SeatEvents`), pair services (`PairService`, `pairService`) and the shared log,
    // less the team's contracts, which moved into its package.
    expect(rootNames.length).toBeLessThan(157)
    for (const name of ['definePlugin', 'Agent', 'Backend', 'Sandbox', 'MessageBus', 'Evaluator', 'CooperbenchError', 'SANDBOX_LABELS'])
      expect(rootNames).toContain(name)
    // The runner's and the results' machinery is not part of it.
    for (const name of ['runBenchmark', 'isoNow', 'readJsonIfPresent', 'Semaphore', 'scanRun', 'resolveConfig', 'loginShellInvocation', 'startPortRelay'])
      expect(rootNames).not.toContain(name)
  })

  it.each(entries.map(([subpath, target]) => [subpath, target.default]))('%s resolves and loads (%s)', async (subpath, file) => {
    const loaded = (await import(join(PACKAGE, file))) as Record<string, unknown>
    expect(Object.keys(loaded).length, subpath).toBeGreaterThan(0)
    expect(names.get(join(PACKAGE, manifest.exports[subpath] && (manifest.exports[subpath] as { types: string }).types))!.length).toBeGreaterThan(0)
  })
})

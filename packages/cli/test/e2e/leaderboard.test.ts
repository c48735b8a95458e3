import { createHash, generateKeyPairSync } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunReport } from '@cooperbench/report'
import { missingForBrowserTests, requireOrSkip } from '../../../viewer/test/support/requirements.js'
import { launchChromium, OpenPages } from '../../../viewer/test/support/viewer-page.js'
import { goldDatasetScript, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { bundleDemoRuns, ORACLE_RUNS } from './bundle-demo-runs.js'
import { editJson, tamperedBundle } from './bundle-tamper.js'
import { countPluginLoads, DEMO_DATASET, describeResult, leftoverSandboxes, makeWorkdir, runCli, runCliInProcess, tempDir } from './helpers.js'

/**
 * `cooperbench leaderboard` as a benchmark maintainer runs it: the oracle's solo, coop and team
 * runs of `bundleDemoRuns` and mini_swe_agent's coop run with the scripted model, each bundled on
 * its own (the oracle's coop signed), and a copy of the oracle's coop bundle
 * whose report.json was changed after bundling, in one folder; the site read in Chromium from
 * file://, its figures held against `cooperbench report --json` on the same runs.
 */
const problem = missingForBrowserTests()
/** The oracle's three runs and mini_swe_agent's coop run of the same pair (another agent: no deficit against the oracle's solo). */
const RUNS = [...ORACLE_RUNS, 'msa-coop']
/** Each run's bundle in the folder: mini-SWE's named `.tgz` (the same gzipped tar), which is listed too. */
const bundleName = (run: string) => (run === 'msa-coop' ? `${run}.tgz` : `${run}.tar.gz`)
/** Where the site's screenshot goes, to look at (git ignores it). */
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url))
const pages = new OpenPages()
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined

afterAll(async () => {
  await pages.closeAll()
  await browser?.close()
})

/** Each row of the site's table as its cells' text, by cell class. */
async function tableRows(page: Page) {
  return page.locator('table.leaderboard tbody tr').evaluateAll((rows) =>
    rows.map((tr) => ({
      kind: tr.className,
      bundle: tr.getAttribute('data-bundle'),
      link: tr.querySelector('.bundle a')?.getAttribute('href') ?? null,
      cells: Object.fromEntries([...tr.children].map((cell) => [cell.className, (cell as HTMLElement).innerText.trim()])),
      deficit: tr.querySelector('.deficit .value')?.textContent ?? null,
    })),
  )
}

/** `12.3` for 0.1234: the one decimal `cooperbench report` writes. */
const pct = (x: number | null) => (x === null ? null : (x * 100).toFixed(1))

describe('cooperbench leaderboard', () => {
  it('lists four verified bundles with the figures of `report` and a tampered one as not verified; each row links to its runs', async (ctx) => {
    requireOrSkip(problem, ctx)
    const { logs } = await bundleDemoRuns()
    const w = await makeWorkdir('leaderboard')
    const cli = (args: string[], tmp = w.tmp) => runCli(args, { cwd: w.cwd, tmp, timeoutMs: 600_000 })
    // The first bundle and the site a real CLI process makes; the other bundles and the refusal,
    // the command's files and wording, come from the test's own process.
    const inProcess = (args: string[]) => runCliInProcess(args, { cwd: w.cwd, tmp: w.tmp })
    const submissions = join(w.cwd, 'submissions')
    await mkdir(submissions)
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    await writeFile(join(w.cwd, 'author.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }))
    const fingerprint = `sha256:${createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')}`
    for (const run of RUNS) {
      const sign = run.startsWith('coop') ? ['--sign', 'author.pem'] : []
      const made = await (run === RUNS[0] ? cli : inProcess)([
        'bundle',
        '-n',
        run,
        '--log-dir',
        logs,
        '--dataset-dir',
        DEMO_DATASET,
        '-o',
        join(submissions, bundleName(run)),
        ...sign,
      ])
      expect(made.code, describeResult(made)).toBe(0)
    }
    // A stranger's change after bundling: the rate in report.json, without bundle.json listing it.
    const tampered = await tamperedBundle(
      join(submissions, 'coop-or-demo.tar.gz'),
      join(w.cwd, 'tampered'),
      (root) =>
        editJson(join(root, 'report.json'), (report) => {
          report.settings[0].rate = 0.25
        }),
      false,
    )
    await rename(tampered, join(submissions, 'zz-tampered.tar.gz'))

    // A folder of other files is never taken for the site, and nothing is verified before that is refused.
    await mkdir(join(w.cwd, 'notes'))
    await writeFile(join(w.cwd, 'notes', 'todo.txt'), 'keep me')
    const refused = await inProcess(['leaderboard', submissions, '-o', join(w.cwd, 'notes'), '--dataset-dir', DEMO_DATASET])
    expect(refused.code, describeResult(refused)).toBe(2)
    expect(refused.stderr).toMatch(/^error: .*notes holds files that are not a leaderboard site/m)
    expect(await readdir(join(w.cwd, 'notes'))).toEqual(['todo.txt'])

    const tmp = await tempDir('leaderboard-tmp')
    const site = join(w.cwd, 'public', 'site')
    // One pair of each verified bundle run again: the oracle's, and mini-SWE's with the script it was made with.
    const server = await startScriptedLlmServer({ script: await goldDatasetScript(DEMO_DATASET) })
    const rerun = ['--rerun', '1', '--seed', '7', '--model-base-url', server.url]
    const loads = await countPluginLoads(w.cwd)
    const built = await cli(['leaderboard', submissions, '-o', site, '--dataset-dir', DEMO_DATASET, ...rerun], tmp).finally(() => server.close())
    expect(built.code, describeResult(built)).toBe(0)
    expect(built.stdout).toMatch(/^not verified zz-tampered\.tar\.gz: report\.json was changed after bundling/m)
    expect(await loads(), 'the plugins are loaded once for every evaluation and rerun of the four bundles').toBe(1)
    // The local backend's workspace root (its cache kept on purpose) is the evaluations', jiti's the
    // counting plugin's; of the leaderboard's own, nothing.
    expect(
      (await readdir(tmp)).filter((name) => name !== 'cooperbench-local' && name !== 'jiti'),
      'leaderboard leaves nothing in TMPDIR',
    ).toEqual([])
    expect(await leftoverSandboxes(join(tmp, 'cooperbench-local'))).toEqual([])
    expect(await readdir(join(w.cwd, 'public')), 'the site was built beside its place and moved there').toEqual(['site'])

    const reported = await cli(['report', ...RUNS.flatMap((run) => ['-n', run]), '--log-dir', logs, '--json'])
    expect(reported.code, describeResult(reported)).toBe(0)
    const report = JSON.parse(reported.stdout) as RunReport

    browser ??= await launchChromium()
    const { page } = await pages.open(browser, pathToFileURL(join(site, 'index.html')).href, 1400)
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'leaderboard.png'), fullPage: true })
    const rows = await tableRows(page)
    expect(rows.map((r) => [r.kind, r.bundle])).toEqual(
      [
        ['verified', 'coop-or-demo.tar.gz'],
        ['verified', 'msa-coop.tgz'],
        ['verified', 'solo-or-demo.tar.gz'],
        ['verified', 'team-or-demo.tar.gz'],
        ['not-verified', 'zz-tampered.tar.gz'],
      ],
      'every bundle has its row, the .tgz one too, the tampered one as not verified',
    )

    // Every figure of a row is the report's of its run: the rate and its interval, and against the solo run the deficit.
    expect(report.settings.map((s) => s.runs).sort()).toEqual(RUNS.map((run) => [run]).sort())
    for (const s of report.settings) {
      const row = rows.find((r) => r.cells.run === s.runs[0])!
      expect(row.cells.setting).toBe([s.setting, s.variant].filter((part) => part !== null).join(', '))
      expect([row.cells.agent, row.cells.model]).toEqual([s.agent, s.model ?? 'none'])
      expect(row.cells.passed).toBe(`${s.passed}/${s.passed + s.failed}`)
      const [, rate, low, high] = row.cells.rate!.match(/^(-?\d+\.\d)% \[(-?\d+\.\d)%, (-?\d+\.\d)%\]$/) ?? []
      expect([rate, low, high], row.cells.rate).toEqual([pct(s.rate), pct(s.ci!.low), pct(s.ci!.high)])
      const deficit = report.deficits.find((d) => d.coopRun === s.runs[0] && d.soloRun === 'solo-or-demo')
      if (s.setting === 'solo' || !deficit) {
        expect(row.cells.deficit, `${s.runs[0]}: no deficit in the report`).toBe('—')
        continue
      }
      const [, value, dLow, dHigh] = row.deficit!.match(/^(-?\d+\.\d)%, 95% CI \[(-?\d+\.\d)%, (-?\d+\.\d)%\]$/) ?? []
      expect([value, dLow, dHigh], row.deficit!).toEqual([pct(deficit.relative.value), pct(deficit.relative.low), pct(deficit.relative.high)])
      expect(row.cells.deficit).toContain(`vs solo-or-demo (solo-or-demo.tar.gz), ${deficit.pairs} common pair`)
    }
    expect(
      report.deficits.some((d) => d.coopRun === 'coop-or-demo'),
      'the coop row has a deficit to compare',
    ).toBe(true)
    expect(rows.find((r) => r.cells.run === 'coop-or-demo')!.cells.deficit).not.toBe('—')
    // Another agent than the solo run's: the report refuses the comparison, the row says —.
    expect(report.refused.map((r) => r.coopRun)).toContain('msa-coop')
    expect(rows.find((r) => r.cells.run === 'msa-coop')!.cells).toMatchObject({ agent: 'mini_swe_agent', model: 'openai/scripted-model', deficit: '—' })

    const coop = rows.find((r) => r.bundle === 'coop-or-demo.tar.gz')!
    expect(coop.cells.signer).toBe(fingerprint)
    for (const r of rows.filter((r) => r.kind === 'verified')) {
      expect(r.cells.verification).toMatch(/^verified: 1 pair\(s\) evaluated again, \d+ figures alike$/)
      expect(r.cells.rerun, 'its one rerun made its verdict again').toBe('100.0%')
      if (r !== coop) expect(r.cells.signer).toBe('unsigned')
    }
    const bad = rows.find((r) => r.kind === 'not-verified')!
    expect(bad.cells.verification).toMatch(/^not verified: report\.json was changed after bundling/)
    expect([bad.link, bad.cells.figures, bad.cells.signer, bad.cells.rerun]).toEqual([null, '—', '—', '—'])
    expect(Object.values(bad.cells).join(' ')).not.toMatch(/\d%/)

    // Each verified row opens its bundle's runs in the exported viewer, from the file system.
    for (const run of RUNS) {
      await page.locator(`tr[data-bundle="${bundleName(run)}"] .bundle a`).click()
      await page.locator('svg.rate-chart').first().waitFor()
      expect(await page.title()).toBe(`cooperbench view: ${run}`)
      expect(await page.locator('.top .status').innerText()).toContain('export')
      await page.goBack()
      await page.locator('table.leaderboard').waitFor()
    }
    const json = JSON.parse(await readFile(join(site, 'leaderboard.json'), 'utf8'))
    expect(json.submissions.map((s: { verification: { verified: boolean } }) => s.verification.verified)).toEqual([true, true, true, true, false])
    expect(existsSync(join(site, 'runs'))).toBe(true)
    expect(await pages.closeAll(), 'no console error on the site or a viewer page').toEqual([])
  }, 900_000)
})

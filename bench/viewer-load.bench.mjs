// The viewer on a 652-pair coop run (the size of a full CooperBench run), in Chromium:
// first load of the overview (target < 2 s), the overview again once loaded (target < 1 s),
// and the server's /api/data read cold and warm. Run folders are written by hand (no agents), the
// worst case for the server's read: a model without a price (every trajectory is checked for its
// unknown cost) and trajectories of about 170 KB (20 steps of 8 KB output).
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { median, root, tempDir } from './lib.mjs'

const PAIRS = 652
const CHROMIUM = '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) {
  console.log(`skipped: ${CHROMIUM} is not installed`)
  process.exit(0)
}
const logDir = tempDir('cb-bench-viewer-')
// The writer is the viewer tests' TypeScript helper: run it with Node's type stripping.
const writer = join(root, 'packages/viewer/test/support/written-runs.ts')
const script = `import { writeCoopRun } from ${JSON.stringify(writer)}
const pairs = Array.from({ length: ${PAIRS} }, (_, i) => ({ task: i + 1, pass: i % 3 === 0, conflict: i % 4 === 0, steps: 20 }))
await writeCoopRun(${JSON.stringify(logDir)}, { name: 'big-coop', messaging: true, analysis: true, priced: false, outputChars: 8000, pairs })`
execFileSync(process.execPath, ['--experimental-strip-types', '--no-warnings', '--input-type=module', '-e', script], { stdio: 'inherit' })

const { startViewer } = await import(join(root, 'packages/viewer/dist/index.js'))
const { chromium } = await import(join(root, 'packages/viewer/node_modules/playwright-core/index.mjs'))
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] })
// Cold: a server that has not read the run yet, so the page waits for the whole scan.
const cold = await startViewer({ logDir, port: 0, pollMs: 60_000 })
let coldLoad
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  const started = performance.now()
  await page.goto(`${cold.url}#/`)
  await page.locator('svg.rate-chart').first().waitFor()
  coldLoad = performance.now() - started
  await page.close()
} finally {
  await cold.close()
}
const viewer = await startViewer({ logDir, port: 0, pollMs: 60_000 })
try {
  const api = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    await (await fetch(`${viewer.url}api/data`)).json()
    api.push(performance.now() - started)
  }
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  let started = performance.now()
  await page.goto(`${viewer.url}#/`)
  await page.locator('svg.rate-chart').first().waitFor()
  const firstLoad = performance.now() - started
  const again = []
  for (let i = 0; i < 5; i++) {
    await page.goto(`${viewer.url}#/pairs`)
    await page.locator('table.pairs tbody tr').first().waitFor()
    started = performance.now()
    await page.goto(`${viewer.url}#/`)
    await page.locator('svg.rate-chart').first().waitFor()
    again.push(performance.now() - started)
  }
  const ms = (x) => `${x.toFixed(0)} ms`
  console.log(`viewer, ${PAIRS}-pair coop run with analysis.json, model without a price, 170 KB trajectories; load ${loadavg()[0].toFixed(1)}`)
  console.log(`  /api/data: first ${ms(api[0])}, median of the rest ${ms(median(api.slice(1)))}`)
  console.log(`  overview, first load, cold server (reads the run first): ${ms(coldLoad)} (target < 2000 ms) ${coldLoad < 2000 ? 'ok' : 'OVER'}`)
  console.log(`  overview, first load in a new page, server read warm: ${ms(firstLoad)} (target < 2000 ms) ${firstLoad < 2000 ? 'ok' : 'OVER'}`)
  console.log(`  overview, once loaded: median ${ms(median(again))} (target < 1000 ms) ${median(again) < 1000 ? 'ok' : 'OVER'}`)
} finally {
  await browser.close()
  await viewer.close()
  rmSync(logDir, { recursive: true, force: true })
}

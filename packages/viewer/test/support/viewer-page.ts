import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { type Browser, chromium, type Page } from 'playwright-core'
import { teamReporter } from '@cooperbench/setting-team'
import { type RunningViewer, startViewer } from '../../src/index.js'
import { CHROMIUM } from './requirements.js'

/** Why Chromium cannot run here (null when it can): the tests on hand-written run folders need nothing else. */
export const chromiumProblem = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium)`

/** The viewer served on `logDir` and one Chromium page whose console errors and uncaught exceptions are collected. */
export interface ViewerPage {
  viewer: RunningViewer
  page: Page
  errors: string[]
  /** Stops the server and the browser and removes `logDir`. */
  close(): Promise<void>
}

export async function openViewerPage(logDir: string, viewport: { width: number; height: number }): Promise<ViewerPage> {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] })
  // The first-party settings' parts of the overview, as `cooperbench view` loads them from the plugins.
  const viewer = await startViewer({ logDir, port: 0, reporters: { team: teamReporter } })
  const page = await browser.newPage({ viewport })
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  return {
    viewer,
    page,
    errors,
    close: async () => {
      await viewer.close()
      await browser.close()
      await rm(logDir, { recursive: true, force: true })
    },
  }
}

/** Chromium as the browser tests start it: headless, no sandbox, nothing that reaches the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** The pages a test file opened, each with the console errors and uncaught exceptions it saw. */
export class OpenPages {
  private opened: Array<{ page: Page; errors: string[] }> = []

  /** A new page of `width` × 900 px at `url`. */
  async open(browser: Browser, url: string, width: number): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } })
    const errors: string[] = []
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`))
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
    this.opened.push({ page, errors })
    await page.goto(url)
    return { page, errors }
  }

  /** Closes every page opened since the last call and returns the errors they saw. */
  async closeAll(): Promise<string[]> {
    const opened = this.opened
    this.opened = []
    for (const { page } of opened) await page.close()
    return opened.flatMap((p) => p.errors)
  }
}

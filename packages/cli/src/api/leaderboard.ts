import { copyFile, cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { CooperbenchError, isCooperbenchError } from '@cooperbench/core'
import { makeDirectory, writeFileAtomic, writeJsonAtomic } from '@cooperbench/results'
import { resolveLayeredConfig } from '@cooperbench/config'
import { reportRuns } from '@cooperbench/report'
import { packageVersion } from '@cooperbench/spec-utils'
import { exportViewer, type LeaderboardSite, type LeaderboardSubmission, leaderboardHtml, type SubmissionRow } from '@cooperbench/viewer'
import { eventLogger, type Host, openLayeredHost, settingReporters } from './host.js'
import { safeEmitter } from './events.js'
import { type PooledRun, submissionRows } from './leaderboard-rows.js'
import type { HostOptions } from './options.js'
import { checkSiteTarget, moveSiteIntoPlace, SITE_MARK, siteStaging } from './site-folder.js'
import { type VerifiedBundle, verifyBundleIn } from './verify.js'

export interface LeaderboardOptions extends Pick<HostOptions, 'cwd' | 'config' | 'plugins' | 'signal' | 'onEvent'> {
  /** The folder of bundles (`*.tar.gz`, as `cooperbench bundle` wrote them). */
  folder: string
  /** The site's folder: made, or an earlier site's replaced whole. */
  out: string
  /** The dataset every bundle is verified against; default the configured one (`./dataset`). */
  datasetDir?: string
  /** Where the patches are evaluated again; default the configured backend. */
  backend?: string
  /** Parallel evaluations; default the configured `evalConcurrency`. */
  concurrency?: number
  /** Rerun this many pairs of each verified bundle (`verify --rerun`): its rows' rerun agreement. */
  rerun?: number
  /** Seed of every bundle's draw; default a fresh one per bundle. */
  seed?: number
  /** The verifier's server for the claimed models of the reruns. */
  modelBaseUrl?: string
}

export interface LeaderboardResult {
  /** The site's folder and its `index.html`. */
  dir: string
  index: string
  site: LeaderboardSite
}

/** The verdicts of `verify` that are the bundle's fault: it is listed as not verified. Anything else stops the command. */
const NOT_VERIFIED = new Set(['BUNDLE_MISMATCH', 'BUNDLE_INVALID'])

/**
 * `cooperbench leaderboard`: `verifyBundle` on every bundle of a folder, then a static site of the
 * ones that verify: `index.html` with a row per run and setting (the rates and deficits of one
 * `report` over all their runs, so a coop submission is compared with a solo one of the folder),
 * `leaderboard.json` with the same data, and each bundle's runs as `cooperbench view --export`
 * writes them in `runs/<bundle>/`. A bundle that does not verify gets a row with why and no
 * figures. Built beside `out` and moved into place; nothing is left in TMPDIR.
 */
export async function buildLeaderboardSite(options: LeaderboardOptions): Promise<LeaderboardResult> {
  const cwd = resolve(options.cwd ?? process.cwd())
  const out = resolve(cwd, options.out)
  const bundles = await bundlesIn(resolve(cwd, options.folder))
  await checkSiteTarget(out)
  // The plugins, loaded once: every bundle's evaluations and reruns run with them, the report reads with them.
  const logger = eventLogger(options.onEvent ? safeEmitter(options.onEvent) : undefined)
  const host = await openLayeredHost(await resolveLayeredConfig({}, options.config, cwd), { plugins: options.plugins, logger }, cwd)
  const reporters = settingReporters(host.registry)
  const work = await mkdtemp(join(tmpdir(), 'cooperbench-leaderboard-'))
  let staging: string | null = null
  try {
    const submissions: LeaderboardSubmission[] = []
    const pooled: PooledRun[] = []
    const opened = new Map<string, { runs: string[]; root: string; slug: string; rerunAgreement: number | null }>()
    for (const [index, submitted] of bundles.entries()) {
      const bundle = basename(submitted)
      // A private copy is what is verified and then read: the folder's file may change in between.
      const file = join(work, 'archives', `${index + 1}.tar.gz`)
      await makeDirectory(dirname(file))
      await copyFile(submitted, file)
      const slug = `${index + 1}-${bundle.replace(/\.(tar\.gz|tgz)$/, '').replace(/[^A-Za-z0-9._-]+/g, '-')}`
      // Unpacked once, by verify, and read from there: what the site shows is what was verified.
      const verified = await verifiedOrWhy({ ...options, cwd, file }, bundle, join(work, 'bundles', slug), host)
      if (typeof verified === 'string') {
        submissions.push({ bundle, verification: { verified: false, reason: verified }, viewer: null, rows: [] })
        continue
      }
      const { result: checked, manifest, root } = verified
      for (const claim of manifest.claim.runs) {
        const name = `${slug}--${claim.name}`
        await cp(join(root, 'runs', claim.name), join(work, 'logs', name), { recursive: true })
        pooled.push({ name, bundle, run: claim.name, claim })
      }
      opened.set(bundle, { runs: checked.runs, root, slug, rerunAgreement: agreementOf(checked) })
      const { signer, pairs, figures } = checked
      submissions.push({ bundle, verification: { verified: true, signer, pairs, figures }, viewer: `runs/${slug}/index.html`, rows: [] })
    }
    const report = pooled.length > 0 ? await reportRuns({ logDir: join(work, 'logs'), runNames: pooled.map((r) => r.name), reporters }) : null
    const rows = report ? submissionRows(report, pooled) : new Map<string, SubmissionRow[]>()
    staging = await siteStaging(out)
    for (const submission of submissions) {
      const bundle = opened.get(submission.bundle)
      if (!bundle) continue
      submission.rows = (rows.get(submission.bundle) ?? []).map((row) => ({ ...row, rerunAgreement: bundle.rerunAgreement }))
      // The bundle's own runs by their own names: its viewer is the one its author would export.
      await exportViewer({ logDir: join(bundle.root, 'runs'), runs: bundle.runs, outDir: join(staging, 'runs', bundle.slug), reporters })
    }
    const site: LeaderboardSite = { cooperbenchVersion: packageVersion(import.meta.url), createdAt: new Date().toISOString(), submissions }
    await writeJsonAtomic(join(staging, SITE_MARK), site)
    await writeFileAtomic(join(staging, 'index.html'), leaderboardHtml(site))
    await moveSiteIntoPlace(staging, out)
    staging = null
    return { dir: out, index: join(out, 'index.html'), site }
  } finally {
    await rm(work, { recursive: true, force: true })
    if (staging !== null) await rm(staging, { recursive: true, force: true })
  }
}

/** The verification of one bundle, or the one line that says why it does not verify. */
async function verifiedOrWhy(options: LeaderboardOptions & { file: string }, bundle: string, work: string, host: Host): Promise<VerifiedBundle | string> {
  const { cwd, config, plugins, signal, onEvent, datasetDir, backend, concurrency, file, rerun, seed, modelBaseUrl } = options
  try {
    await makeDirectory(work)
    return await verifyBundleIn({ cwd, config, plugins, signal, onEvent, datasetDir, backend, concurrency, file, rerun, seed, modelBaseUrl }, work, { host })
  } catch (error) {
    // Named by its file name: the site is published, this machine's folders are not.
    if (isCooperbenchError(error) && NOT_VERIFIED.has(error.code))
      return error.message
        .split('\n')[0]!
        .replaceAll(file, bundle)
        .replace(/^the bundle does not verify: /, '')
    throw error
  }
}

/**
 * The share of a bundle's reruns whose verdict was the bundle's, over those that reached one (an
 * error is neither); null without reruns or when none reached a verdict.
 */
function agreementOf(checked: VerifiedBundle['result']): number | null {
  const judged = checked.rerun ? checked.rerun.agree + checked.rerun.disagree : 0
  return judged === 0 ? null : checked.rerun!.agree / judged
}

/** The `.tar.gz` (or `.tgz`: the same gzipped tar) files of the folder, by name; refused when it is not a folder or holds none. */
async function bundlesIn(folder: string): Promise<string[]> {
  const info = await stat(folder).catch(() => null)
  if (!info?.isDirectory())
    throw new CooperbenchError('USAGE', `${folder} is not a folder of bundles`, { hint: 'Give the folder that holds the submitted .tar.gz bundles.' })
  const names = (await readdir(folder)).filter((name) => name.endsWith('.tar.gz') || name.endsWith('.tgz')).sort()
  if (names.length === 0)
    throw new CooperbenchError('USAGE', `${folder} holds no bundle (*.tar.gz, *.tgz)`, { hint: 'Collect the bundles `cooperbench bundle` wrote there first.' })
  return names.map((name) => join(folder, name))
}

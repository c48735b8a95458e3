import { existsSync } from 'node:fs'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { freePort, type HfHubStandIn } from '@cooperbench/testkit'
import { describe, expect, it } from 'vitest'
import { DATASET_SOURCE_FILE } from '@cooperbench/dataset'
import { BIG_FILE, BIG_FILE_SIZE, startFixtureHub, writeFixtureRepo } from './dataset-download-fixture.js'
import {
  type CliResult,
  describeResult,
  linesStartingWith,
  listFiles,
  makeWorkdir,
  runCli,
  runCliInProcess,
  snapshotTree,
  stackLines,
  startCli,
  type Workdir,
} from './helpers.js'

const MANUAL_CLONE = 'git clone https://huggingface.co/datasets/cooperbench/cooperbench dataset'

/**
 * `cooperbench dataset download` in the test's own process: what these tests check is the
 * command's work and wording, not a process's start. A real CLI process runs the first download and
 * the one stopped by Ctrl+C.
 */
function download(w: Workdir, hub: { url: string }, args: string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  return runCliInProcess(['dataset', 'download', ...args], w.options({ env: { HF_ENDPOINT: hub.url, ...env } }))
}

/** What a folder holds but the source record, as `{ path: content }` (latin1, so any bytes compare exactly). */
async function contentsOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const path of await listFiles(dir)) if (path !== DATASET_SOURCE_FILE) out[path] = (await readFile(join(dir, path))).toString('latin1')
  return out
}

function asText(files: Record<string, Buffer>, keep: (path: string) => boolean = () => true): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files)
      .filter(([path]) => keep(path))
      .map(([path, content]) => [path, content.toString('latin1')]),
  )
}

/** The requests for one file's bytes (the 1-byte size probes left out). */
function fileRequests(hub: HfHubStandIn, path: string) {
  return hub.requests.filter((r) => r.file === path && r.method === 'GET' && r.range !== 'bytes=0-0' && r.status !== 302)
}

/** One `error:` line mentioning everything expected, one `hint:` line, no stack. */
function expectOneLineError(r: CliResult, code: number, mentions: string[]): void {
  const report = describeResult(r)
  expect(r.code, report).toBe(code)
  const errors = linesStartingWith(r.stderr, 'error:')
  expect(errors, report).toHaveLength(1)
  for (const mention of mentions) expect(errors[0], report).toContain(mention)
  expect(linesStartingWith(r.stderr, 'hint:'), report).toHaveLength(1)
  expect(stackLines(r.stderr + r.stdout), report).toEqual([])
}

describe('cooperbench dataset download', () => {
  it('fetches every file of the repo through the tree listing (paged) and resolve URLs, verified, then validates; a second run fetches nothing', async () => {
    const files = await writeFixtureRepo()
    const hub = await startFixtureHub(files)
    const w = await makeWorkdir('download')

    const r = await runCli(['dataset', 'download'], w.options({ env: { HF_ENDPOINT: hub.url } }))
    expect(r.code, describeResult(r)).toBe(0)
    const dataset = join(w.cwd, 'dataset')
    expect(await contentsOf(dataset)).toEqual(asText(files))
    const source = await readFile(join(dataset, DATASET_SOURCE_FILE), 'utf8')
    // The commit the hub resolved main to is recorded beside the files, for runs to copy into their config.
    expect(JSON.parse(source)).toMatchObject({ repo: 'cooperbench/cooperbench', revision: 'main', commit: hub.commit, subset: null, hub: hub.url })
    expect(r.stdout).toContain(`(commit ${hub.commit.slice(0, 12)})`)
    expect(r.stdout).toMatch(
      new RegExp(`${Object.keys(files).length} files of revision main \\(commit [0-9a-f]{12}\\) in .*: ${Object.keys(files).length} fetched`),
    )
    expect(r.stdout).toContain('3 tasks checked: 0 error(s), 0 warning(s)')
    // main was resolved to its commit, listed at that commit in pages (Link: rel="next"); the LFS file came from its CDN location.
    expect(hub.requests[0]!.url).toMatch(/^\/api\/datasets\/cooperbench\/cooperbench\/revision\/main\?.*expand=sha/)
    const listings = hub.requests.filter((q) => q.url.startsWith(`/api/datasets/cooperbench/cooperbench/tree/${hub.commit}`))
    expect(listings.length).toBeGreaterThan(1)
    expect(listings.slice(1).every((q) => q.url.includes('cursor='))).toBe(true)
    const resolves = hub.requests.filter((q) => q.url.includes('/resolve/'))
    expect(resolves.length).toBeGreaterThan(0)
    expect(resolves.every((q) => q.url.includes(`/resolve/${hub.commit}/`))).toBe(true)
    expect(hub.requests.some((q) => q.url.startsWith('/cdn-lfs/') && q.file === BIG_FILE && q.status === 200)).toBe(true)
    // The empty file needed no request.
    expect(hub.requests.some((q) => q.file === 'beta_task/task7/notes/empty.txt')).toBe(false)

    const before = await snapshotTree(dataset)
    const requestsBefore = hub.requests.length
    const again = await download(w, hub, ['--json'])
    expect(again.code, describeResult(again)).toBe(0)
    expect(again.stderr, 'nothing but JSON with --json').toBe('')
    const result = JSON.parse(again.stdout)
    expect(result).toMatchObject({
      files: Object.keys(files).length,
      present: Object.keys(files).length,
      downloaded: 0,
      resumed: 0,
      commit: hub.commit,
      validation: { tasks: 3, errors: 0 },
    })
    expect(await snapshotTree(dataset), 'a second run rewrote files').toEqual(before)
    expect(
      hub.requests.slice(requestsBefore).every((q) => q.url.includes('/tree/') || q.url.includes('/revision/main')),
      'a second run fetched files',
    ).toBe(true)
  })

  it('a changed local file is fetched again and replaced whole; --dir and --revision <commit> are honoured', async () => {
    const files = await writeFixtureRepo()
    const hub = await startFixtureHub(files)
    const w = await makeWorkdir('download-dir')
    const target = join(w.cwd, 'elsewhere')
    expect((await download(w, hub, ['--dir', 'elsewhere', '--revision', hub.commit])).code).toBe(0)
    const edited = join(target, 'alpha_task/task1/feature1/feature.md')
    await writeFile(edited, 'edited by hand\n')

    const r = await download(w, hub, ['--dir', 'elsewhere', '--revision', hub.commit])
    expect(r.code, describeResult(r)).toBe(0)
    expect(r.stdout).toContain(': 1 fetched')
    expect(await readFile(edited)).toEqual(files['alpha_task/task1/feature1/feature.md'])
    expect(hub.requests.every((q) => q.file === null || q.url.includes(hub.commit) || q.url.startsWith('/cdn-lfs/'))).toBe(true)
  })

  it('a download cut off mid-file fails in one line, keeps the bytes in <file>.partial, and the next run resumes with a Range request', async () => {
    const files = await writeFixtureRepo()
    const hub = await startFixtureHub(files)
    const w = await makeWorkdir('download-resume')
    const dataset = join(w.cwd, 'dataset')
    hub.cutOffOnce(BIG_FILE, 120_000)

    const cut = await download(w, hub)
    expectOneLineError(cut, ExitCode.dataset, ['lost the connection', BIG_FILE])
    expect(cut.stderr).toContain('hint: Run the same command again')
    expect(existsSync(join(dataset, BIG_FILE)), 'an unfinished file got its real name').toBe(false)
    const kept = (await stat(join(dataset, `${BIG_FILE}.partial`))).size
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(BIG_FILE_SIZE)
    expect(await readFile(join(dataset, `${BIG_FILE}.partial`))).toEqual(files[BIG_FILE]!.subarray(0, kept))

    const resumed = await download(w, hub)
    expect(resumed.code, describeResult(resumed)).toBe(0)
    expect(resumed.stderr).toContain(`resumed ${join('dataset', BIG_FILE)}`)
    expect(resumed.stdout).toMatch(/\(\d+ resumed\)/)
    const last = fileRequests(hub, BIG_FILE).at(-1)!
    expect(last).toMatchObject({ range: `bytes=${kept}-${BIG_FILE_SIZE - 1}`, status: 206 })
    expect(await contentsOf(dataset)).toEqual(asText(files))
  })

  it('when the hub answers a resume range with the whole file, the file starts over and is still right', async () => {
    const files = await writeFixtureRepo()
    const hub = await startFixtureHub(files)
    const w = await makeWorkdir('download-norange')
    hub.cutOffOnce(BIG_FILE, 50_000)
    expect((await download(w, hub)).code).toBe(ExitCode.dataset)
    hub.ignoreResumeRanges()

    const r = await download(w, hub)
    expect(r.code, describeResult(r)).toBe(0)
    expect(fileRequests(hub, BIG_FILE).at(-1)).toMatchObject({ status: 200 })
    expect(fileRequests(hub, BIG_FILE).at(-1)!.range).toMatch(/^bytes=[1-9]\d*-/)
    expect(await contentsOf(join(w.cwd, 'dataset'))).toEqual(asText(files))
  })

  it('a file whose bytes do not match the hub checksum is deleted and the command fails in one line naming it', async () => {
    const files = await writeFixtureRepo()
    const hub = await startFixtureHub(files)
    const w = await makeWorkdir('download-corrupt')
    const dataset = join(w.cwd, 'dataset')
    const bad = 'beta_task/task7/feature2/feature.patch'
    hub.corrupt(bad)
    hub.corrupt(BIG_FILE)

    const r = await download(w, hub, ['-c', '1'])
    expectOneLineError(r, ExitCode.dataset, ['checksum mismatch', join('dataset', BIG_FILE), 'sha256'])
    expect(existsSync(join(dataset, BIG_FILE))).toBe(false)
    expect(existsSync(join(dataset, `${BIG_FILE}.partial`))).toBe(false)

    // Without the LFS file, the git-blob check catches the small one.
    const w2 = await makeWorkdir('download-corrupt-small')
    const r2 = await download(w2, hub, ['--subset', 'lite'])
    expectOneLineError(r2, ExitCode.dataset, ['checksum mismatch', join('dataset', bad), 'git-blob-sha1'])
    // Downloads stopped by the failure may stay as .partial (the next run resumes them); the bad file may not.
    expect(await listFiles(join(w2.cwd, 'dataset'))).not.toContain(bad)
    expect(await listFiles(join(w2.cwd, 'dataset'))).not.toContain(`${bad}.partial`)
  })

  it('--subset flash fetches only its tasks, its subset file and the top-level files; an unknown subset names the ones there are', async () => {
    const files = await writeFixtureRepo()
    const hub = await startFixtureHub(files)
    const w = await makeWorkdir('download-subset')

    const r = await download(w, hub, ['--subset', 'flash'])
    expect(r.code, describeResult(r)).toBe(0)
    const wanted = (path: string) => path.startsWith('alpha_task/task4/') || path === 'subsets/flash.json' || !path.includes('/')
    expect(await contentsOf(join(w.cwd, 'dataset'))).toEqual(asText(files, wanted))
    expect(r.stdout).toContain('1 tasks checked: 0 error(s)')
    expect(hub.requests.some((q) => q.file?.startsWith('beta_task/') || q.file === 'subsets/lite.json')).toBe(false)

    const unknown = await download(w, hub, ['--subset', 'huge'])
    expectOneLineError(unknown, ExitCode.dataset, ['subset "huge"'])
    expect(unknown.stderr).toContain('hint: Available subsets: flash, lite.')
  })

  it('HF_TOKEN is sent as a bearer token; without it a gated hub is refused in one line naming HF_TOKEN', async () => {
    const files = await writeFixtureRepo()
    const hub = await startFixtureHub(files, { token: 'hf_testtoken' })
    const w = await makeWorkdir('download-token')

    const refused = await download(w, hub)
    expectOneLineError(refused, ExitCode.dataset, ['refused access', '401'])
    expect(refused.stderr).toContain('HF_TOKEN')

    const first = hub.requests.length
    const r = await download(w, hub, ['--subset', 'lite'], { HF_TOKEN: 'hf_testtoken' })
    expect(r.code, describeResult(r)).toBe(0)
    const sent = hub.requests.slice(first)
    expect(sent.length).toBeGreaterThan(2)
    expect(sent.map((q) => q.authorization)).toEqual(sent.map(() => 'Bearer hf_testtoken'))
  })

  it('an unknown revision is one line naming it', async () => {
    const hub = await startFixtureHub(await writeFixtureRepo())
    const r = await download(await makeWorkdir('download-revision'), hub, ['--revision', 'v9'])
    expectOneLineError(r, ExitCode.dataset, ['no revision "v9"'])
  })

  it.each([
    ['connection refused', async () => `http://127.0.0.1:${await freePort()}`],
    ['no DNS answer', async () => 'http://hub.cooperbench.invalid'],
  ])('no network (%s): one line naming HF_ENDPOINT and the git clone alternative, nothing written', async (_case, endpoint) => {
    const w = await makeWorkdir('download-offline')
    const r = await download(w, { url: await endpoint() })
    expectOneLineError(r, ExitCode.dataset, ['cannot reach the Hugging Face hub', 'HF_ENDPOINT', MANUAL_CLONE])
    expect(existsSync(join(w.cwd, 'dataset'))).toBe(false)
  })

  it('Ctrl+C during a download keeps finished files intact and the unfinished one as .partial; the next run completes it', async () => {
    const files = await writeFixtureRepo()
    const hub = await startFixtureHub(files)
    const w = await makeWorkdir('download-interrupt')
    const dataset = join(w.cwd, 'dataset')
    hub.stallOnce(BIG_FILE, 64_000)

    const child = startCli(['dataset', 'download', '-c', '2'], w.options({ env: { HF_ENDPOINT: hub.url } }))
    const partial = join(dataset, `${BIG_FILE}.partial`)
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && ((await stat(partial).catch(() => null))?.size ?? 0) < 64_000) await new Promise((r) => setTimeout(r, 50))
    child.child.kill('SIGINT')
    const r = await child.result
    expectOneLineError(r, ExitCode.interrupted, ['download interrupted'])
    expect((await stat(partial)).size).toBe(64_000)
    expect(existsSync(join(dataset, BIG_FILE))).toBe(false)
    // Every file that got its real name is complete and right.
    for (const [path, content] of Object.entries(await contentsOf(dataset))) {
      if (!path.endsWith('.partial')) expect(content, path).toBe(files[path]!.toString('latin1'))
    }

    const again = await download(w, hub)
    expect(again.code, describeResult(again)).toBe(0)
    expect(fileRequests(hub, BIG_FILE).at(-1)).toMatchObject({ range: `bytes=64000-${BIG_FILE_SIZE - 1}`, status: 206 })
    expect(await contentsOf(dataset)).toEqual(asText(files))
  })
})

import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundleRuns, verifyBundle } from '../../dist/index.js'
import { bundleDemoRuns } from './bundle-demo-runs.js'
import { editJson, entriesOf, tamperedBundle, tarGz } from './bundle-tamper.js'
import {
  DEMO_DATASET,
  describeResult,
  hermeticApiCalls,
  linesStartingWith,
  makeWorkdir,
  requireLocalBackend,
  runCli,
  tempDir,
  type Workdir,
} from './helpers.js'

// verifyBundle and bundleRuns run in this process: without the caller's COOPERBENCH_* or plugins.
hermeticApiCalls()

/**
 * What `verify` holds a bundle to before it evaluates anything: its files to the digests bundle.json
 * lists, bundle.json to its signature, every record to the claim. The runs are `bundleDemoRuns`'
 * (the oracle's coop run, and mini_swe_agent's of the same pair with the scripted model); each
 * case changes a copy of a run folder and bundles it, or changes a copy of one bundle. The CLI
 * shows once per exit code how a refusal reads (one `error:` line, exit 1 or 2, nothing left in
 * TMPDIR); the many ways a bundle is refused are held to `verifyBundle` and `bundleRuns` in this
 * process (the same code the commands call, without a CLI start per case).
 */
const PAIR = join('coop', 'textkit_task', '7', 'f1_f2')
const RELABEL = { agent: 'claude_code', model: 'anthropic/claude-opus-9' }
let w: Workdir
let logs: string
let signed: { file: string; key: KeyObject; fingerprint: string } | undefined

async function cli(args: string[], tmp = w.tmp) {
  return runCli(args, { cwd: w.cwd, tmp, timeoutMs: 600_000 })
}

/** `verify` ending with exit 1 on one `error:` line matching `message`. */
async function expectRefused(file: string, message: RegExp, extra: string[] = []) {
  const r = await cli(['verify', file, '--dataset-dir', DEMO_DATASET, ...extra])
  expect(r.code, describeResult(r)).toBe(1)
  expect(linesStartingWith(r.stderr, 'error:'), describeResult(r)).toEqual([expect.stringMatching(message)])
}

/**
 * `verifyBundle` in this process refusing `file` with exit code `exitCode` (1: does not verify, 2:
 * not a bundle) and a first line matching `message`; TMPDIR is a folder of its own while it runs,
 * which it must leave empty.
 */
async function expectRefusedHere(file: string, message: RegExp, { exitCode = 1, signer = undefined as string | undefined, what = file } = {}) {
  const tmp = await tempDir('verify-tmp')
  const before = process.env.TMPDIR
  process.env.TMPDIR = tmp
  const ended = await verifyBundle({ file, datasetDir: DEMO_DATASET, cwd: w.cwd, signer }).then(
    () => 'verified',
    (error: unknown) => error,
  )
  if (before === undefined) delete process.env.TMPDIR
  else process.env.TMPDIR = before
  expect(ended, `${what}: refused`).toMatchObject({ exitCode })
  expect((ended as Error).message.split('\n')[0], `${what}: the refusal's first line`).toMatch(message)
  expect(await readdir(tmp), `${what}: TMPDIR after verify`).toEqual([])
}

/** The bundle of a copy of run `run` after `change` to its folder. */
async function bundleOfChanged(name: string, run: string, change: (dir: string) => Promise<void>, trajectories = false) {
  const copy = join(w.cwd, `logs-${name}`)
  await cp(join(logs, run), join(copy, run), { recursive: true })
  await change(join(copy, run))
  const file = join(w.cwd, `${name}.tar.gz`)
  await bundleRuns({ runNames: [run], logDir: copy, datasetDir: DEMO_DATASET, out: file, trajectories, cwd: w.cwd })
  return file
}

/**
 * `sha256:<hex>` of a public key's DER SubjectPublicKeyInfo, as `openssl pkey -pubin -outform DER |
 * sha256sum` gives it.
 */
const fingerprintOf = (key: KeyObject) =>
  `sha256:${createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`

async function keyPair(name: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  await writeFile(join(w.cwd, `${name}.pem`), privateKey.export({ type: 'pkcs8', format: 'pem' }))
  await writeFile(join(w.cwd, `${name}.pub.pem`), publicKey.export({ type: 'spki', format: 'pem' }))
  return publicKey
}

/** The file's working folder and the shared runs' log folder, made on first use. */
async function useRuns() {
  w ??= await makeWorkdir('bundle-trust', 'file')
  logs ??= (await bundleDemoRuns()).logs
}

/** The oracle's and mini-SWE's coop runs with trajectories, signed: the copies below are of it. */
async function signedBundle() {
  if (signed) return signed
  await useRuns()
  const key = await keyPair('author')
  const file = join(w.cwd, 'signed.tar.gz')
  const tmp = await tempDir('bundle-tmp')
  const made = await cli(['bundle', '-n', 'coop-or-demo', '-n', 'msa-coop', '--log-dir', logs, '--trajectories', '--sign', 'author.pem', '-o', file], tmp)
  expect(made.code, describeResult(made)).toBe(0)
  expect(made.stdout, 'bundle counts its runs, pairs and task ("1 task", not "1 tasks")').toMatch(/: 2 run\(s\), 2 pairs, 1 task$/m)
  expect(await readdir(tmp), 'bundle leaves nothing in TMPDIR').toEqual([])
  signed = { file, key, fingerprint: fingerprintOf(key) }
  return signed
}

describe('verify holds a bundle to its digests, its signature and its claim', () => {
  it("a signed bundle verifies with its signer's key and names it; another key, or a changed bundle.json, fails in one line", async (ctx) => {
    requireLocalBackend(ctx)
    const { file, fingerprint } = await signedBundle()
    const other = fingerprintOf(await keyPair('stranger'))
    const good = await cli(['verify', file, '--dataset-dir', DEMO_DATASET, '--signer', 'author.pub.pem'])
    expect(good.code, describeResult(good)).toBe(0)
    expect(good.stdout, 'verify says what it evaluated again').toMatch(/verified .*: 2 run\(s\), 2 pairs evaluated again with the same verdicts/)
    expect(good.stdout, 'one task, not "1 tasks"').toMatch(/^ {2}1 task with the bundle's dataset digests, \d+ figures of the report/m)
    expect(good.stdout, 'verify names the signing key').toContain(`signed by the Ed25519 key ${fingerprint}`)
    await expectRefused(file, new RegExp(`bundle\\.sig: signed by the key ${fingerprint}, not by the signer's ${other}`), ['--signer', 'stranger.pub.pem'])
    // Without --signer the key the signature names checks it: a claim changed after signing fails.
    const claimEdited = await tamperedBundle(
      file,
      join(w.cwd, 'claim-edited'),
      (root) =>
        editJson(join(root, 'bundle.json'), (manifest) => {
          manifest.claim.runs[0].settings[0].model = RELABEL.model
        }),
      false,
    )
    await expectRefusedHere(claimEdited, new RegExp(`bundle\\.sig: the signature by ${fingerprint} does not match bundle\\.json`))
    // A bundle without bundle.sig is unsigned: --signer refuses it.
    const unsigned = await tamperedBundle(file, join(w.cwd, 'unsigned'), (root) => rm(join(root, 'bundle.sig')), false)
    await expectRefusedHere(unsigned, new RegExp(`bundle\\.sig: the bundle is unsigned, and --signer expects a signature by ${fingerprint}`), {
      signer: 'author.pub.pem',
    })
  }, 900_000)

  it('a trajectory, a message log or any file changed, added or removed after bundling is refused naming it', async (ctx) => {
    requireLocalBackend(ctx)
    const { file } = await signedBundle()
    const pair = (root: string) => join(root, 'runs', 'msa-coop', PAIR)
    const forgedMessage = async (root: string) =>
      editJson(join(pair(root), 'conversation.json'), (messages) => {
        messages.push({ ...messages[0], message: 'I will also do your feature; leave it to me.' })
      })
    const cases: Array<[string, (root: string) => Promise<void>, RegExp]> = [
      [
        'trajectory',
        (root) =>
          editJson(join(pair(root), 'agent1_traj.json'), (trajectory) => {
            trajectory.messages.find((m: { role: string }) => m.role === 'assistant').content = 'I solved it alone.'
          }),
        /runs\/msa-coop\/coop\/textkit_task\/7\/f1_f2\/agent1_traj\.json was changed after bundling \(it digests sha256:\w+, bundle\.json lists sha256:\w+\)/,
      ],
      ['message', forgedMessage, /runs\/msa-coop\/coop\/textkit_task\/7\/f1_f2\/conversation\.json was changed after bundling/],
      [
        'added',
        (root) => writeFile(join(pair(root), 'notes.json'), '{}'),
        /runs\/msa-coop\/coop\/textkit_task\/7\/f1_f2\/notes\.json is in the archive but not listed/,
      ],
      [
        'removed',
        (root) => rm(join(pair(root), 'agent2_traj.json')),
        /runs\/msa-coop\/coop\/textkit_task\/7\/f1_f2\/agent2_traj\.json is listed in bundle\.json but not in the archive/,
      ],
    ]
    for (const [name, change, message] of cases)
      await expectRefusedHere(await tamperedBundle(file, join(w.cwd, `after-${name}`), change, false), message, { what: name })
    // Its author forging the message before sealing (digests listed again, no signature): result.json counts the messages sent.
    const resealed = await tamperedBundle(
      file,
      join(w.cwd, 'resealed-message'),
      async (root) => {
        await forgedMessage(root)
        await rm(join(root, 'bundle.sig'))
      },
      true,
    )
    await expectRefusedHere(resealed, /runs\/msa-coop\/coop\/textkit_task\/7\/f1_f2\/conversation\.json: 3 messages, result\.json counts 2/)
  }, 900_000)

  it('a run relabelled with another agent or model (config.json, result.json), then bundled, is refused naming the file', async (ctx) => {
    requireLocalBackend(ctx)
    await useRuns()
    const results = (dir: string) => join(dir, PAIR, 'result.json')
    const relabelConfig = (dir: string) =>
      editJson(join(dir, 'config.json'), (config) => {
        config.agent_framework = RELABEL.agent
        config.model = RELABEL.model
      })
    const relabelFingerprint = (dir: string) =>
      editJson(join(dir, 'config.json'), (config) => {
        for (const fingerprint of [config.fingerprint, config.fingerprints.coop.value]) Object.assign(fingerprint, RELABEL)
      })
    const relabelResult = (dir: string) =>
      editJson(results(dir), (result) => {
        result.agent_framework = RELABEL.agent
        result.model = RELABEL.model
      })
    // Everything the run says of its agent, consistently: the fingerprint with its hash, the plugin, every record.
    const relabelAll = async (dir: string, tokens: boolean) => {
      let hash = ''
      await editJson(join(dir, 'config.json'), (config) => {
        for (const fingerprint of [config.fingerprint, config.fingerprints.coop.value]) {
          Object.assign(fingerprint, RELABEL)
          fingerprint.plugins.agent = 'claude_code (@cooperbench/agent-cli@0.1.0)'
        }
        hash = createHash('sha256').update(canonicalJson(config.fingerprint)).digest('hex')
        Object.assign(config, { agent_framework: RELABEL.agent, model: RELABEL.model, fingerprint_hash: hash })
        config.fingerprints.coop.hash = hash
        Object.assign(config.config, { agent: RELABEL.agent, modelName: RELABEL.model })
      })
      await editJson(results(dir), (result) => {
        Object.assign(result, { agent_framework: RELABEL.agent, model: RELABEL.model, config_hash: hash })
        if (tokens)
          for (const agent of Object.values(result.agents) as Array<Record<string, number>>) Object.assign(agent, { input_tokens: 5120, output_tokens: 310 })
      })
    }
    const where = 'runs\\/coop-or-demo\\/coop\\/textkit_task\\/7\\/f1_f2'
    // The last: with trajectories, which then carry the evidence.
    const cases: Array<[string, (dir: string) => Promise<void>, RegExp, boolean?]> = [
      ['config', relabelConfig, /runs\/coop-or-demo\/config\.json: agent_framework is "claude_code", the claim's "oracle"/],
      [
        'fingerprint',
        relabelFingerprint,
        /runs\/coop-or-demo\/config\.json: the coop fingerprint hashes to \w+, not to its recorded hash "\w+": it was changed/,
      ],
      ['result', relabelResult, new RegExp(`${where}\\/result\\.json: agent_framework is "claude_code", the claim's "oracle"`)],
      [
        'all',
        (dir) => relabelAll(dir, false),
        new RegExp(`${where}\\/result\\.json: agent1 took 1 step\\(s\\) without a token of the claimed model anthropic\\/claude-opus-9`),
      ],
      ['all-tokens', (dir) => relabelAll(dir, true), new RegExp(`${where}\\/agent1_traj\\.json: model is null, the claim's "anthropic\\/claude-opus-9"`), true],
    ]
    for (const [name, change, message, trajectories] of cases)
      await expectRefusedHere(await bundleOfChanged(`relabel-${name}`, 'coop-or-demo', change, trajectories), message, { what: name })
  }, 900_000)

  it("one run's pairs filed under another run's name are refused naming the pair's result.json", async (ctx) => {
    requireLocalBackend(ctx)
    await useRuns()
    const oraclePair = join(logs, 'coop-or-demo', PAIR)
    const moved = (renamed: boolean) => async (dir: string) => {
      await rm(join(dir, PAIR), { recursive: true })
      await cp(oraclePair, join(dir, PAIR), { recursive: true })
      if (renamed) await editJson(join(dir, PAIR, 'result.json'), (result) => (result.run_name = 'msa-coop'))
    }
    const where = 'runs\\/msa-coop\\/coop\\/textkit_task\\/7\\/f1_f2\\/result\\.json'
    await expectRefusedHere(
      await bundleOfChanged('mixed', 'msa-coop', moved(false)),
      new RegExp(`${where}: run_name is "coop-or-demo", the claim's "msa-coop"`),
    )
    await expectRefusedHere(
      await bundleOfChanged('mixed-renamed', 'msa-coop', moved(true)),
      new RegExp(`${where}: agent_framework is "oracle", the claim's "mini_swe_agent"`),
    )
  }, 900_000)

  it('a truncated or corrupt archive, duplicate entries, an entry escaping the root, a symlinked folder written through, a folder: exit 2, one line, nothing left in TMPDIR', async (ctx) => {
    requireLocalBackend(ctx)
    await useRuns()
    // Every demo run with its trajectories: an archive of some tens of kilobytes, as a real one is at least.
    const file = join(w.cwd, 'all-runs.tar.gz')
    const { runs } = await bundleDemoRuns()
    await bundleRuns({ runNames: runs, logDir: logs, datasetDir: DEMO_DATASET, trajectories: true, out: file, cwd: w.cwd })
    const bytes = await readFile(file)
    expect(bytes.length, 'the first 20,000 bytes are a part of it').toBeGreaterThan(30_000)
    const unpacked = join(w.cwd, 'unpacked')
    await tamperedBundle(file, unpacked, async () => {}, false)
    const entries = await entriesOf(unpacked)
    const elsewhere = await tempDir('elsewhere')
    const archives: Array<[string, Buffer, RegExp]> = [
      ['half', bytes.subarray(0, bytes.length / 2), /it is cut short or corrupt \(zlib: unexpected end of file\)/],
      ['first 20,000 bytes', bytes.subarray(0, 20_000), /it is cut short or corrupt/],
      ['not gzip', Buffer.from('not an archive\n'.repeat(100)), /it is cut short or corrupt/],
      [
        'duplicate',
        tarGz([...entries, { path: 'cooperbench-bundle/report.json', body: '{"settings": []}' }]),
        /it holds cooperbench-bundle\/report\.json twice \(duplicate entries/,
      ],
      [
        'escaping',
        tarGz([...entries, { path: 'cooperbench-bundle/../escaped.json', body: '{}' }]),
        /entry cooperbench-bundle\/\.\.\/escaped\.json escapes the archive's root/,
      ],
      [
        'symlinked folder',
        tarGz([
          ...entries,
          { path: 'cooperbench-bundle/runs/elsewhere', link: elsewhere },
          { path: 'cooperbench-bundle/runs/elsewhere/planted.json', body: '{}' },
        ]),
        /entry cooperbench-bundle\/runs\/elsewhere\/planted\.json is written through the symlinked folder cooperbench-bundle\/runs\/elsewhere/,
      ],
      // The tar cut on a block boundary inside a whole gzip stream: only its missing end marker shows it.
      ['tar cut short', tarGz(entries.slice(0, 6), { endMarker: false }), /it ends before its tar archive does: it is cut short/],
    ]
    const written = async (name: string, content: Buffer) => {
      const archive = join(w.cwd, `broken-${name.replaceAll(/\W+/g, '-')}.tar.gz`)
      await writeFile(archive, content)
      return archive
    }
    // From the command line once: exit 2, one `error:` line and no stack ("looks like a bug"), TMPDIR left empty.
    const [half, ...others] = archives
    const tmp = await tempDir('verify-tmp')
    const r = await cli(['verify', await written(half![0], half![1]), '--dataset-dir', DEMO_DATASET], tmp)
    expect(r.code, `a broken archive is exit 2: ${describeResult(r)}`).toBe(2)
    const oneLine = [expect.stringMatching(new RegExp(`is not a cooperbench bundle: ${half![2].source}`))]
    expect(linesStartingWith(r.stderr, 'error:'), 'a broken archive is one error line').toEqual(oneLine)
    expect(r.stderr, 'a broken archive is not reported as a bug').not.toMatch(/looks like a bug/)
    expect(await readdir(tmp), 'TMPDIR after verify of a broken archive').toEqual([])
    // Every other way, by the error verify throws: exit code 2 (not a bundle), never an error without a code (a bug).
    for (const [name, content, cause] of others)
      await expectRefusedHere(await written(name, content), new RegExp(`is not a cooperbench bundle: ${cause.source}`), { exitCode: 2, what: name })
    expect(await readdir(elsewhere), 'nothing is written through the link').toEqual([])
    // A folder given for the archive: not a bundle either, not a crash (EISDIR once looked like a bug).
    const folder = join(w.cwd, 'a-folder.tar.gz')
    await mkdir(folder)
    await expectRefusedHere(folder, /is not a cooperbench bundle: it is a folder/, { exitCode: 2, what: 'a folder' })
  }, 900_000)
})

/**
 * JSON with keys sorted at every level and no whitespace: what a configuration fingerprint's hash
 * is of.
 */
function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v
  return JSON.stringify(sorted(value))
}

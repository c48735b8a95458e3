import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { goldDatasetScript, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, REPO_ROOT, readJson, requireLocalBackend, runCli } from './helpers.js'

/**
 * Option `reference_version` through the CLI (issue 73): upstream's 0.0.14 coop.yaml (from
 * ../shared/upstream-configs, supplied at run time, never copied here) with the option appended.
 * A later release that still judged patch.txt (0.0.22) runs, says once what of it is in force, and
 * records its own prompt source; one that judges a pull request (0.0.23 on) is refused with that
 * file, and an unknown one, before any pair, naming the accepted values.
 */
/** The pair both runs make: confkit task 5's features 1 and 3, under the run name `ref`. */
const REF_RUN = ['run', '-n', 'ref', '--dataset-dir', DEMO_DATASET, '-r', 'confkit_task', '-t', '5', '-f', '1,3']
const COOP_0_0_14 = join(REPO_ROOT, '..', 'shared', 'upstream-configs', '0.0.14-eb2075e', 'coop.yaml')

let server: Awaited<ReturnType<typeof startScriptedLlmServer>>
beforeAll(async () => {
  server = await startScriptedLlmServer({ script: await goldDatasetScript(DEMO_DATASET) })
})
afterAll(() => server?.close())

/** A workdir holding upstream's coop.yaml with `reference_version: "<version>"` appended. */
async function workdirWithVersion(ctx: TestContext, version: string) {
  requireLocalBackend(ctx)
  if (!existsSync(COOP_0_0_14)) {
    if (process.env.CI) throw new Error(`${COOP_0_0_14} is missing, and CI is set`)
    ctx.skip(`upstream's configuration files are not at ${COOP_0_0_14}`)
  }
  const w = await makeWorkdir('reference-version')
  await writeFile(join(w.cwd, 'coop.yaml'), `${await readFile(COOP_0_0_14, 'utf8')}\nreference_version: "${version}"\n`)
  return w
}

describe('reference_version on the command line', () => {
  // With --git, so each agent's patch.txt is also published to team/<agent> as it exits (0.0.22; its unit test reads the branch).
  it('0.0.22 with upstream 0.0.14 coop.yaml and --git: the pair runs, the notice is printed once, the prompt source is recorded', async (ctx) => {
    const w = await workdirWithVersion(ctx, '0.0.22')
    const r = await runCli(
      // No evaluation: what the version changes is what the agents see and submit; a patch.txt such as
      // theirs is judged in scripted-model-reference.test.ts (0.0.14's, which 0.0.22 still judges).
      [...REF_RUN, '--git', '--no-auto-eval', '-m', 'openai/scripted-model'].concat(['--model-base-url', server.url, '--agent-config', 'coop.yaml']),
      w.options({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 600_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const notices = `${r.stdout}${r.stderr}`.split("upstream 0.0.22's agent-visible changes are in force").length - 1
    expect(notices, describeResult(r)).toBe(1)
    const [dir] = await pairDirs(w.logs, 'ref', 'coop')
    const result = await readJson(join(dir!, 'result.json'))
    expect(result.prompt_source).toMatch(/^reference-config:sha256:[0-9a-f]{64}$/)
    for (const agent of ['agent1', 'agent2']) expect(result.agents[agent], agent).toMatchObject({ status: 'Submitted', patch_source: 'agent_patch_file' })
  })

  it.for([
    ['0.0.21', 'reference_version "0.0.21" is not a version the reference mode follows', 'Accepted: 0.0.12, 0.0.13, 0.0.14, 0.0.22, 0.0.23, 0.0.24, 0.0.25'],
    [
      '0.0.27',
      "reference_version 0.0.27 judges a pull request, but the configuration file's templates ask for patch.txt",
      "Use that release's own coop.yaml or solo.yaml",
    ],
  ] as const)('%s is refused before any pair (exit 2), saying why', async ([version, message, hint], ctx) => {
    const w = await workdirWithVersion(ctx, version)
    const r = await runCli(
      [...REF_RUN, '-m', 'openai/scripted-model', '--model-base-url', server.url, '--agent-config', 'coop.yaml'],
      w.options({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 120_000 }),
    )
    expect(r.code, describeResult(r)).toBe(2)
    expect(`${r.stdout}${r.stderr}`).toContain(message)
    expect(`${r.stdout}${r.stderr}`).toContain(hint)
    expect(await pairDirs(w.logs, 'ref', 'coop')).toEqual([])
  })
})

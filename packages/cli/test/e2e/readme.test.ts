import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { autoRunName } from '@cooperbench/config'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeResult, readJson, REPO_ROOT, requireLocalBackend, runCli, runCliInProcess, tempDir } from './helpers.js'

/**
 * The README's commands as a newcomer types them, run in the checkout: if the README drifts from
 * the code (a run name, a flag, a config example), this fails. Logs go to a temporary folder through
 * COOPERBENCH_LOG_DIR so the commands themselves stay exactly as written. The quickstart runs every
 * pair; a next step whose every pair other tests check runs with `-f 1,2` added, a pair of every task.
 */
const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
const PNPM_CLI = 'npx --yes pnpm cooperbench '

/** Every `npx --yes pnpm cooperbench …` command of the README's `sh` blocks, without comments. */
function readmeCommands(): string[][] {
  const commands: string[][] = []
  for (const block of README.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      for (const part of line.split('&&')) {
        const command = part.replace(/\s+#.*$/, '').trim()
        if (command.startsWith(PNPM_CLI)) commands.push(command.slice(PNPM_CLI.length).split(/\s+/))
      }
    }
  }
  return commands
}

const commands = readmeCommands()
/** Features 1 and 2: a pair of every demo task, appended to a command whose every pair another test checks. */
const PAIR_PER_TASK = ['-f', '1,2']
/** The README command that starts with `words` (exactly `words`, with `exact`). */
const find = (words: string[], exact = false) => {
  const found = commands.find((args) => words.every((w, i) => args[i] === w) && (!exact || args.length === words.length))
  if (!found) throw new Error(`the README has no \`cooperbench ${words.join(' ')} …\` command; commands: ${JSON.stringify(commands)}`)
  return found
}

describe('the README, run as written in the checkout', () => {
  let logs: string
  // A hang guard for each command: under load on a slow machine the quickstart's two runs took 195 s together.
  const options = () => ({ cwd: REPO_ROOT, env: { COOPERBENCH_LOG_DIR: logs }, timeoutMs: 600_000 })

  beforeAll(async () => {
    logs = join(await tempDir('readme', 'file'), 'logs')
  })

  it('`pnpm cooperbench` is the CLI of this checkout', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
    // bin/dev.js is bin/run.js with the CLI's dev plugins, which oclif also loads under vitest's NODE_ENV=test: what runCli runs.
    expect(scripts.cooperbench).toBe('node packages/cli/bin/dev.js')
  })

  it('the quickstart passes every pair into the folder the README names, and the next steps work on its runs', async (ctx) => {
    requireLocalBackend(ctx)
    const quickstart = find(['run', '-s', 'demo', '-a', 'oracle', '--setting', 'solo'], true)
    const named = /Results land in `logs\/<run name>\/` \(here `logs\/([^/`]+)\/`\)/.exec(README)?.[1]
    expect(named, 'the README names the quickstart run folder').toBeDefined()
    const solo = await runCli(quickstart, options())
    expect(solo.code, describeResult(solo)).toBe(0)
    expect(solo.stdout).toMatch(/evaluated\s+27: passed 27, failed 0, errors 0/)
    expect(await readJson(join(logs, named!, 'summary.json'))).toMatchObject({ setting: 'solo', completed: 27, pass_rate: 1 })

    // The next steps' coop run on a pair of every task (`-f` leaves the run name the README's report
    // names as it is): the oracle's coop verdict of every pair is checked pair by pair in
    // test/eval/demo-dataset.test.ts; what is checked here is the command and the steps on its run.
    const coop = await runCli([...find(['run', '-s', 'demo', '-a', 'oracle'], true), ...PAIR_PER_TASK], options())
    expect(coop.code, describeResult(coop)).toBe(0)
    expect(coop.stdout).toMatch(/evaluated\s+6: passed 1, failed 5, errors 0/)
    const report = find(['report'])
    // The report names the runs the two commands above made, as the README says.
    for (const [i, arg] of report.entries()) if (report[i - 1] === '-n') expect(await readJson(join(logs, arg, 'summary.json'))).toBeTruthy()
    const reported = await runCli(report, options())
    expect(reported.code, describeResult(reported)).toBe(0)

    // The gold conflict check of every demo pair is test/eval/demo-dataset.test.ts's: here a pair of every task.
    for (const args of [[...find(['dataset', 'conflicts']), ...PAIR_PER_TASK], find(['--help'])]) {
      const r = await runCli(args, options())
      expect(r.code, `${args.join(' ')}\n${describeResult(r)}`).toBe(0)
    }

    // The examples of `eval --help` and `report --help` that name a run name one the README made.
    const made = new Set(await readdir(logs))
    for (const command of ['eval', 'report']) {
      // The help's text is the command's, the same in the test's own process: no CLI start for it.
      const help = await runCliInProcess([command, '--help'], options())
      const examples = [...help.stdout.slice(help.stdout.indexOf('EXAMPLES')).matchAll(/^\s*\$ cooperbench (.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/))
      const naming = examples.filter((args) => args.some((a, i) => args[i - 1] === '-n'))
      expect(naming.length, help.stdout).toBeGreaterThan(0)
      for (const args of naming) {
        const runs = args.filter((_, i) => args[i - 1] === '-n')
        expect(
          runs.filter((r) => !made.has(r)),
          `${args.join(' ')} names runs the README never makes`,
        ).toEqual([])
        if (args.includes('-o')) continue
        // A forced re-evaluation on a pair of each task it names (eval-interrupt.test.ts forces part of a run).
        const r = await runCli(args.includes('--force') ? [...args, ...PAIR_PER_TASK] : args, options())
        expect(r.code, `${args.join(' ')}\n${describeResult(r)}`).toBe(0)
      }
    }
  }, 1_200_000)

  it('the offline mini-SWE try-out runs coop, solo, team and sequential with the same model, and its report names the four runs', () => {
    const model = ['-m', 'openai/scripted-model', '--model-base-url']
    const coop = find(['run', '-s', 'demo', ...model])
    expect(coop).not.toContain('--setting')
    for (const setting of ['solo', 'team', 'sequential']) {
      const other = commands.find((args) => args.join(' ') === [...coop, '--setting', setting].join(' '))
      expect(other, `the README has no ${setting} run beside \`${coop.join(' ')}\`; commands: ${JSON.stringify(commands)}`).toBeDefined()
    }
    // The names the runs get (mini_swe_agent's plugin declares the shorthand `msa`), as `run` derives them.
    const named = (setting: 'coop' | 'solo' | 'team' | 'sequential') =>
      autoRunName({ setting, agent: 'mini_swe_agent', modelName: 'openai/scripted-model', subset: 'demo', backend: 'local', bus: 'memory' }, () => 'msa')
    const report = commands.find((args) => args[0] === 'report' && args.includes(named('coop')))
    expect(report, `the README reports no run named ${named('coop')}`).toEqual([
      'report',
      '-n',
      named('solo'),
      '-n',
      named('coop'),
      '-n',
      named('team'),
      '-n',
      named('sequential'),
    ])
  })

  describe('a cooperbench.config.ts inside the checkout', () => {
    let folder: string
    beforeAll(async () => {
      // Inside the checkout, as a user trying the README's example there would put it.
      folder = await mkdtemp(join(REPO_ROOT, '.readme-config-'))
    })
    afterAll(async () => {
      await rm(folder, { recursive: true, force: true })
    })

    it('loads the README example, whose `import … from "cooperbench"` resolves to this checkout', async () => {
      const example = /```ts\n(\/\/ cooperbench\.config\.ts\n[\s\S]*?)```/.exec(README)?.[1]
      expect(example, 'the README shows a cooperbench.config.ts').toBeDefined()
      await writeFile(join(folder, 'cooperbench.config.ts'), example!)
      // NODE_PATH, which pnpm sets for this test process, would resolve `cooperbench` where a user's shell does not.
      const r = await runCli(['doctor', '--json', '--backend', 'local'], { cwd: folder, env: { NODE_PATH: '' }, timeoutMs: 120_000 })
      const checks = JSON.parse(r.stdout) as Array<{ check: string; status: string; detail: string }>
      expect(
        checks.find((c) => c.check === 'config'),
        describeResult(r),
      ).toMatchObject({
        status: 'ok',
        detail: join(folder, 'cooperbench.config.ts'),
      })
    }, 120_000)
  })
})

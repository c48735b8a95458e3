import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeResult, makeWorkdir, REPO_ROOT, requireLocalBackend, runCli } from './helpers.js'

/**
 * The plugin guide's example agent, as an outside author gets it: every code block of
 * docs/plugin-guide.md whose first line names a file (`// src/my-agent.ts`) is written verbatim
 * into a fresh package beside the guide's package.json, which then type-checks, loads in the
 * real CLI, and passes the agent conformance suite run by its own vitest. A guide edit that
 * breaks the example fails here.
 */
const GUIDE = join(REPO_ROOT, 'docs', 'plugin-guide.md')
const FILE_LINE = /^\/\/ ((?:src|test)\/[\w./-]+\.ts)$/

interface GuideBlock {
  lang: string
  lines: string[]
}

/** The fenced blocks of a markdown text: a fence opens with ```lang and closes with a line that is only ```. */
function fencedBlocks(markdown: string): GuideBlock[] {
  const blocks: GuideBlock[] = []
  let open: GuideBlock | null = null
  for (const line of markdown.split('\n')) {
    if (open === null) {
      const fence = /^```(\w*)$/.exec(line)
      if (fence) open = { lang: fence[1]!, lines: [] }
    } else if (line === '```') {
      blocks.push(open)
      open = null
    } else open.lines.push(line)
  }
  return blocks
}

/** The guide's example package: its files by path (package.json from the "Package shape" block). */
function guideExamplePackage(markdown: string): Map<string, string> {
  const blocks = fencedBlocks(markdown)
  const files = new Map<string, string>()
  const manifest = blocks.find((b) => b.lang === 'json' && b.lines.some((l) => l.includes('"cooperbench:register"')))
  if (manifest) files.set('package.json', `${manifest.lines.join('\n')}\n`)
  for (const block of blocks) {
    const path = FILE_LINE.exec(block.lines[0] ?? '')?.[1]
    if (path === undefined) continue
    if (files.has(path)) throw new Error(`the guide has two blocks for ${path}`)
    files.set(path, `${block.lines.join('\n')}\n`)
  }
  return files
}

/** What the package resolves, linked from this checkout as npm would install them. */
const LINKS: Record<string, string> = {
  '@cooperbench/spec': join(REPO_ROOT, 'packages', 'spec'),
  '@cooperbench/spec-utils': join(REPO_ROOT, 'packages', 'spec-utils'),
  '@cooperbench/testkit': join(REPO_ROOT, 'packages', 'testkit'),
  vitest: join(REPO_ROOT, 'node_modules', 'vitest'),
  typescript: join(REPO_ROOT, 'node_modules', 'typescript'),
  '@types/node': join(REPO_ROOT, 'node_modules', '@types', 'node'),
}

async function writePackage(dir: string, files: Map<string, string>): Promise<void> {
  for (const [path, text] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  for (const [name, target] of Object.entries(LINKS)) {
    await mkdir(dirname(join(dir, 'node_modules', name)), { recursive: true })
    await symlink(target, join(dir, 'node_modules', name), 'dir')
  }
  // What `tsc` needs to check the sources as an author's build would (strict, Node ESM).
  const tsconfig = {
    compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
    include: ['src', 'test'],
  }
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
}

/** Runs node with `args` in `cwd`; resolves with the exit code and the output. */
function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describe("the plugin guide's example agent, copied verbatim into a package", () => {
  it('has its package.json, register module, agent and conformance test in the guide', () => {
    const files = guideExamplePackage(readFileSync(GUIDE, 'utf8'))
    expect([...files.keys()].sort()).toEqual(['package.json', 'src/my-agent.ts', 'src/register.ts', 'test/conformance.test.ts'])
  })

  it('names every release tarball testkit needs in a plugin folder: testkit and what it depends or peer-depends on', () => {
    const manifest = (name: string) =>
      JSON.parse(readFileSync(join(REPO_ROOT, 'packages', name.replace('@cooperbench/', ''), 'package.json'), 'utf8')) as Record<string, Record<string, string>>
    const needed = new Set<string>()
    const visit = (name: string) => {
      if (needed.has(name)) return
      needed.add(name)
      const m = manifest(name)
      for (const dep of Object.keys({ ...m.dependencies, ...m.peerDependencies })) if (dep.startsWith('@cooperbench/')) visit(dep)
    }
    visit('@cooperbench/testkit')
    const install = fencedBlocks(readFileSync(GUIDE, 'utf8')).find((b) => b.lang === 'sh' && b.lines.join('\n').includes('cooperbench-testkit-'))
    expect(install, 'the guide shows the npm install of the testkit tarballs').toBeDefined()
    const named = [...install!.lines.join('\n').matchAll(/release\/(?:plugin-authors\/)?cooperbench-([a-z-]+?)-\d+\.\d+\.\d+\.tgz/g)].map(
      (m) => `@cooperbench/${m[1]}`,
    )
    expect(named.sort()).toEqual([...needed].sort())
  })

  it('type-checks, loads in the CLI as a config-file plugin, and passes every check of the agent conformance suite', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('guide-example')
    const files = guideExamplePackage(await readFile(GUIDE, 'utf8'))
    await writePackage(w.cwd, files)

    const tsc = await runNode([join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], w.cwd, process.env, 120_000)
    expect(tsc.code, tsc.output).toBe(0)

    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: ['./src/register.ts'] }))
    const list = await runCli(['agents', 'list', '--json'], w.options())
    expect(list.code, describeResult(list)).toBe(0)
    expect(JSON.parse(list.stdout)).toContainEqual(
      expect.objectContaining({ name: 'myagent', plugin: 'cooperbench-agent-myagent', version: '1.0.0', specificationVersion: 'agent-v1' }),
    )

    const report = join(w.tmp, 'vitest-report.json')
    const env = { ...process.env, TMPDIR: w.tmp, CI: '' }
    const vitest = await runNode(
      [join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', w.cwd, '--reporter=json', `--outputFile=${report}`],
      w.cwd,
      env,
      540_000,
    )
    const results = JSON.parse(await readFile(report, 'utf8').catch(() => '{}')) as {
      numPassedTests?: number
      numFailedTests?: number
      numPendingTests?: number
      testResults?: Array<{ assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }>
    }
    const failed = (results.testResults ?? []).flatMap((f) => f.assertionResults).filter((a) => a.status === 'failed')
    expect(
      failed.map((a) => `${a.fullName}: ${a.status} ${a.failureMessages.join(' ').slice(0, 600)}`),
      vitest.output.slice(-4_000),
    ).toEqual([])
    expect(vitest.code, vitest.output.slice(-4_000)).toBe(0)
    // identity 2, solo 4, abort 2, errors 1, coop 3, coordination surface 1, team 5 (the guide's
    // `team: {}`: lead and member with every feature on, --team-no-task-commands, --team-no-task-list,
    // --team-no-scratchpad); preflight is skipped: the example has none
    expect(results.numPassedTests, vitest.output.slice(-4_000)).toBe(18)
  }, 600_000)
})

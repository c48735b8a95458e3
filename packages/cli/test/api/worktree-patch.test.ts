/**
 * An agent that submits its own patch (the reference's patch.txt protocol): what is evaluated is
 * patch.txt, and `agent<fid>.worktree.patch` beside it is the working-tree diff — never
 * patch.txt's content, even when the tree itself is clean.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AgentRunContext, type PluginDefinition, SANDBOX_REPO_DIR } from '@cooperbench/core'
import { emptyAgentResult } from '@cooperbench/spec-utils'
import { run } from '../../dist/index.js'
import { DEMO_DATASET, pairDirs, requireLocalBackend } from '../e2e/helpers.js'

let work: string
let savedDataDir: string | undefined

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cb-worktree-'))
  savedDataDir = process.env.COOPERBENCH_DATA_DIR
  process.env.COOPERBENCH_DATA_DIR = join(work, 'data')
})

afterAll(async () => {
  if (savedDataDir === undefined) delete process.env.COOPERBENCH_DATA_DIR
  else process.env.COOPERBENCH_DATA_DIR = savedDataDir
  await rm(work, { recursive: true, force: true })
})

/** A patch.txt whose last hunk ends in a blank context line, with blank lines around it as agents leave them. */
const PATCH_FILE = '\n\ndiff --git a/notes.txt b/notes.txt\n--- a/notes.txt\n+++ b/notes.txt\n@@ -1,2 +1,2 @@\n-a\n+A\n \n\n\n'

describe('the working-tree diff beside a submitted patch', () => {
  it('a clean tree and a patch.txt: the evaluated patch is patch.txt (newlines trimmed, 0.0.16), the worktree patch is empty', async (context) => {
    requireLocalBackend(context)
    const plugin: PluginDefinition = {
      name: 'patch-file-agent',
      version: '1.0.0',
      register(api) {
        api.agent({
          name: 'patch_file_agent',
          specificationVersion: 'agent-v1',
          usesModel: false,
          create: () => ({
            specificationVersion: 'agent-v1',
            name: 'patch_file_agent',
            async run(ctx: AgentRunContext) {
              // patch.txt only: the harness's diff excludes it, so the tree's diff is empty.
              await ctx.sandbox.writeFile(`${SANDBOX_REPO_DIR}/patch.txt`, PATCH_FILE)
              return { ...emptyAgentResult('Submitted'), submittedPatch: PATCH_FILE }
            },
          }),
        })
      },
    }
    await run({
      cwd: work,
      datasetDir: DEMO_DATASET,
      logDir: join(work, 'logs'),
      repo: 'textkit_task',
      taskId: 7,
      features: [1, 2],
      agent: 'patch_file_agent',
      backend: 'local',
      autoEval: false,
      runName: 'worktree',
      plugins: [plugin],
      onEvent: () => {},
    })
    const [dir] = await pairDirs(join(work, 'logs'), 'worktree', 'coop')
    const result = JSON.parse(await readFile(join(dir!, 'result.json'), 'utf8'))
    expect(result.agents.agent1).toMatchObject({ patch_source: 'agent_patch_file', worktree_patch_lines: 0 })
    expect(await readFile(join(dir!, 'agent1.patch'), 'utf8')).toBe(PATCH_FILE.replace(/^\n+/, '').replace(/\n+$/, '\n'))
    expect(await readFile(join(dir!, 'agent1.worktree.patch'), 'utf8')).toBe('')
  }, 120_000)
})

import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldDatasetScript, type LlmScript, startScriptedLlmServer, toolCall } from '@cooperbench/testkit/llm-server'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli } from './helpers.js'

/**
 * Upstream's submission through a pull request (its 0.0.23 on; CHANGELOG 0.0.23: "The agent now commits what it wants
 * to submit, pushes its branch, and opens a PR; the PR is what is graded"), through `cooperbench run` with `--git`: a
 * scripted model applies each feature's gold patch, commits it and opens its pull request with the `gh` shim, then
 * leaves a broken, uncommitted edit in its working tree and a patch.txt of garbage. Upstream judges the branch of the
 * pull request (connectors/git.py `submitted_patch`: the diff from the base to `origin/<agent>`), so the pair passes; had
 * the working tree or patch.txt been judged, it would fail. The configuration is our own short text in upstream's
 * format (its 0.0.23+ files are the user's to supply), with `reference_version: "0.0.24"`.
 */
const CONFIG = `reference_version: "0.0.24"
agent:
  system_template: |
    You are {{ agent_id }}, a software engineer working with {{ agents | reject('equalto', agent_id) | join(', ') }}.
  instance_template: |
    {{ task }}

    To submit, commit your work and open a pull request: \`gh pr create --title T --body-file - <<'EOF'\`.
    Then run \`echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\`.
  step_limit: 10
model:
  cost_tracking: ignore_errors
  observation_template: "{{ output.returncode }}\\n{{ output.output }}"
`

/** What the model does after the gold patch is applied: commit, open the pull request, then leave work it does not submit. */
const SUBMIT_THROUGH_PR = [
  "git add -A -- . ':!patch.txt' && git commit -qm 'gold patch'",
  "gh pr create --title 'gold patch' --body-file - <<'EOF'\nApplies the `feature.patch` of my feature.\nEOF",
  "printf '\\nthis is not python (\\n' >> confkit/config.py",
  'echo garbage > patch.txt',
].join('\n')

let server: Awaited<ReturnType<typeof startScriptedLlmServer>>
beforeAll(async () => {
  const gold = await goldDatasetScript(DEMO_DATASET)
  // The gold model's first step under the reference's protocol applies the patch (and writes patch.txt); then it submits.
  const script: LlmScript = (request) => {
    const turn = gold(request)
    const steps = request.body.messages.filter((m) => m.role === 'assistant').length
    const command = (turn.toolCalls?.[0]?.arguments as { command?: string } | undefined)?.command
    return steps === 0 && command !== undefined ? toolCall(`${command}\n${SUBMIT_THROUGH_PR}`) : turn
  }
  server = await startScriptedLlmServer({ script })
})
afterAll(() => server?.close())

describe('reference_version 0.0.24: a pull request opened through the gh shim is what is judged', () => {
  it('with --git: each agent\'s pull request branch is evaluated (patch_source "pull_request"), not its working tree or patch.txt', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('reference-pull-request')
    await writeFile(join(w.cwd, 'coop.yaml'), CONFIG)
    const args = ['run', '-n', 'pr', '--dataset-dir', DEMO_DATASET, '-r', 'confkit_task', '-t', '5', '-f', '1,3', '--git']
    const model = ['-m', 'openai/scripted-model', '--model-base-url', server.url, '--agent-config', 'coop.yaml']
    const r = await runCli([...args, ...model], w.options({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 600_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    expect(`${r.stdout}${r.stderr}`.split("upstream 0.0.24's agent-visible changes are in force").length - 1, describeResult(r)).toBe(1)
    const [dir] = await pairDirs(w.logs, 'pr', 'coop')
    const result = await readJson(join(dir!, 'result.json'))
    for (const agent of ['agent1', 'agent2']) expect(result.agents[agent], agent).toMatchObject({ status: 'Submitted', steps: 2, patch_source: 'pull_request' })
    // Confkit task 5's features 1 and 3 merge cleanly and pass with their gold patches (dataset/expected/demo-verdicts.json).
    expect(await readJson(join(dir!, 'eval.json'))).toMatchObject({ merge: { status: 'clean' }, both_passed: true })
    // The evaluated patches hold the committed gold work only; the working trees (stored beside them) hold the broken edit.
    const files = (await readdir(dir!)).filter((f) => f.endsWith('.patch'))
    const judged = files.filter((f) => !f.endsWith('.worktree.patch'))
    expect(judged.length, files.join(', ')).toBe(2)
    for (const file of judged) {
      const text = await readFile(join(dir!, file), 'utf8')
      expect(text, file).toContain('confkit/config.py')
      expect(text, file).not.toContain('this is not python')
      expect(text, file).not.toContain('patch.txt')
    }
    const worktrees = files.filter((f) => f.endsWith('.worktree.patch'))
    for (const file of worktrees) expect(await readFile(join(dir!, file), 'utf8'), file).toContain('this is not python')
  })
})

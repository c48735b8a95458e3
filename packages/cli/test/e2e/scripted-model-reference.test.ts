import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldDatasetScript, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli } from './helpers.js'

/**
 * `cooperbench dev model-server`'s model (goldDatasetScript) with mini_swe_agent given a
 * configuration in the reference's format (`--agent-config coop.yaml`): that protocol evaluates
 * only the `patch.txt` the agent writes, so the scripted model must write it, or the pair is
 * scored on empty patches. Our own templates, with the constructs the reference's files use.
 */
const config = (submit: string) => `
agent:
  system_template: |
    You are {{ agent_id }}.
  instance_template: |
    {{task}}

    Write your changes as a unified diff to patch.txt, then run: ${submit}
  step_limit: 10
model:
  cost_tracking: ignore_errors
  observation_template: |
    {"returncode": {{ output.returncode }}, "output": {{ output.output | tojson }}}
  format_error_template: |
    Format error: {{error}}
`

let server: Awaited<ReturnType<typeof startScriptedLlmServer>>
beforeAll(async () => {
  server = await startScriptedLlmServer({ script: await goldDatasetScript(DEMO_DATASET) })
})
afterAll(() => server?.close())

describe("the scripted model under the reference's protocol", () => {
  // 0.0.14 on: patch.txt is evaluated; 0.0.12–0.0.13: what the submit command prints after the marker.
  it.for([
    ['0.0.14', 'echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT'],
    ['0.0.12–0.0.13', 'echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && cat patch.txt'],
  ] as const)('a %s file: it writes patch.txt and submits it, so a coop pair is scored on the gold patches, not on empty ones', async ([, submit], ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('scripted-reference')
    await writeFile(join(w.cwd, 'coop.yaml'), config(submit))
    const args = ['run', '-n', 'ref', '--dataset-dir', DEMO_DATASET, '-r', 'confkit_task', '-t', '5', '-f', '1,3']
    const model = ['-m', 'openai/scripted-model', '--model-base-url', server.url, '--agent-config', 'coop.yaml']
    const r = await runCli([...args, ...model], w.options({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 600_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    const [dir] = await pairDirs(w.logs, 'ref', 'coop')
    const result = await readJson(join(dir!, 'result.json'))
    for (const agent of ['agent1', 'agent2']) {
      expect(result.agents[agent], agent).toMatchObject({ status: 'Submitted', steps: 2, patch_source: 'agent_patch_file' })
    }
    // Confkit task 5's features 1 and 3 merge cleanly and pass with their gold patches (dataset/expected/demo-verdicts.json).
    expect(await readJson(join(dir!, 'eval.json'))).toMatchObject({ merge: { status: 'clean' }, both_passed: true })
  })
})

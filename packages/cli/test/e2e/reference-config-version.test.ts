import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, runCli } from './helpers.js'

/** A configuration whose templates submit as the reference's 0.0.11 and earlier did (our own wording): the marker, never patch.txt. */
const OLDER = `
agent:
  system_template: |
    You are {{ agent_id }}.
  instance_template: |
    {{ task }}
    When you are done, run echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT and your changes are taken.
model:
  cost_tracking: ignore_errors
  observation_template: "{{ output.output }}"
`

describe('--agent-config with a file of an older reference version', () => {
  it('is refused before the run, naming the version and what to do; nothing is run or written', async () => {
    const w = await makeWorkdir('reference-config-version')
    await writeFile(join(w.cwd, 'old.yaml'), OLDER)
    const r = await runCli(
      [
        'run',
        '-n',
        'old',
        '--dataset-dir',
        DEMO_DATASET,
        '-r',
        'confkit_task',
        '-t',
        '5',
        '-f',
        '1,2',
        '-m',
        'openai/gpt-4o',
        '--agent-config',
        'old.yaml',
        '--no-auto-eval',
      ],
      w.options({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 120_000 }),
    )
    expect(r.code, describeResult(r)).toBe(2)
    expect(r.stderr).toMatch(/reference's 0\.0\.11 or earlier/)
    expect(r.stderr).toMatch(/0\.0\.14 config\/coop\.yaml or config\/solo\.yaml/)
    expect(existsSync(join(w.logs, 'old'))).toBe(false)
  }, 120_000)
})

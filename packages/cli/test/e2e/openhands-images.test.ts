import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, dockerEngineAnswers, makeWorkdir, runCli } from './helpers.js'

const engine = dockerEngineAnswers('the openhands image e2e')

/**
 * `-a openhands` runs in task images with the agent server layered on (`…:task<id>-oh`). Those
 * names are the reference's published images too, which hold no server at the bridge's path: a
 * run before `images build --agent openhands` must report them missing, never pull them.
 */
describe.skipIf(!engine)('openhands_sdk images on docker', () => {
  it('a run before `images build --agent openhands` stops before any sandbox, naming the images and the command that builds them', async () => {
    const w = await makeWorkdir('oh-images')
    const r = await runCli(
      [
        'run',
        '-a',
        'openhands',
        '-n',
        'oh-unbuilt',
        '-r',
        'confkit_task',
        '-t',
        '0',
        '--dataset-dir',
        DEMO_DATASET,
        '--backend',
        'docker',
        '-m',
        'openai/gpt-4o-mini',
      ],
      w.options({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 300_000 }),
    )
    expect(r.code, describeResult(r)).toBe(4)
    expect(r.stderr).toMatch(/image \S+:task0-oh .*is not present; such images are built here, never pulled/)
    expect(r.stderr).toContain('cooperbench images build --agent openhands -r confkit_task -t 0')
    const pulled = spawnSync('docker', ['images', '-q', '--filter', 'reference=*/cooperbench-confkit:task0-oh'], { encoding: 'utf8' }).stdout.trim()
    expect(pulled).toBe('')
    expect(existsSync(join(w.logs, 'oh-unbuilt', 'coop'))).toBe(false)
  }, 300_000)
})

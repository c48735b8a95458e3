import { spawn } from 'node:child_process'
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptyAgentResult } from '@cooperbench/spec-utils'
import { readTrajectory } from '@cooperbench/results'
import { createTrajectoryRecorder } from '../../src/runner/trajectory.js'

const header = { repo: 'r_task', task_id: 1, feature_id: 2, agent_id: 'agent1', model: 'm' }
const message = (n: number) => ({ role: 'tool', content: `output ${n}`, extra: { step: n } })

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cooperbench-journal-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the trajectory journal', () => {
  it('appends only new messages while the agent runs; finish writes the trajectory file and removes the journal', async () => {
    const recorder = createTrajectoryRecorder(join(dir, 'agent2_traj.json'), header)
    await recorder.append([message(1), message(2)])
    await recorder.append([message(3)])
    const journal = await readFile(join(dir, 'agent2_traj.jsonl'), 'utf8')
    expect(journal.split('\n')).toHaveLength(5) // header, three messages, the empty text after the last newline
    expect((await readTrajectory(dir, 'agent2_traj.json')).value).toEqual({
      ...header,
      status: null,
      cost: 0,
      steps: 0,
      messages: [message(1), message(2), message(3)],
    })

    await recorder.finish({ ...emptyAgentResult('Submitted', null), steps: 3, cost: 0.5 })
    expect(await readdir(dir)).toEqual(['agent2_traj.json'])
    const final = JSON.parse(await readFile(join(dir, 'agent2_traj.json'), 'utf8'))
    expect(final).toEqual({ ...header, status: 'Submitted', cost: 0.5, steps: 3, messages: [message(1), message(2), message(3)] })
  })

  it('keeps what was recorded at the time of the call, not later changes to the objects', async () => {
    const recorder = createTrajectoryRecorder(join(dir, 'solo_traj.json'), header)
    const first = message(1)
    const pending = recorder.append([first])
    first.content = 'changed after the step'
    await pending
    expect((await readTrajectory(dir, 'solo_traj.json')).value?.messages).toEqual([message(1)])
  })

  it('save replaces the journal whole; later appends follow it', async () => {
    const recorder = createTrajectoryRecorder(join(dir, 'solo_traj.json'), header)
    await recorder.append([message(1), message(2)])
    await recorder.save([message(9)])
    await recorder.append([message(10)])
    expect((await readTrajectory(dir, 'solo_traj.json')).value?.messages).toEqual([message(9), message(10)])
  })

  it("removes an earlier attempt's trajectory file, so readers see this run's journal", async () => {
    await writeFile(join(dir, 'solo_traj.json'), JSON.stringify({ ...header, status: 'Error', cost: 0, steps: 1, messages: [message(0)] }))
    const recorder = createTrajectoryRecorder(join(dir, 'solo_traj.json'), header)
    await recorder.append([message(1)])
    expect((await readTrajectory(dir, 'solo_traj.json')).value?.messages).toEqual([message(1)])
  })

  it('a failed write fails its caller and loses nothing: the next write rewrites the journal whole', async () => {
    const blocker = join(dir, 'solo_traj.jsonl')
    await mkdir(blocker)
    const recorder = createTrajectoryRecorder(join(dir, 'solo_traj.json'), header)
    await expect(recorder.append([message(1)])).rejects.toThrow()
    await rm(blocker, { recursive: true })
    await recorder.append([message(2)])
    expect((await readTrajectory(dir, 'solo_traj.json')).value?.messages).toEqual([message(1), message(2)])
  })

  it('a reader skips the append a kill cut short, and names a journal it cannot use', async () => {
    const recorder = createTrajectoryRecorder(join(dir, 'solo_traj.json'), header)
    await recorder.append([message(1)])
    await recorder.close()
    await appendFile(join(dir, 'solo_traj.jsonl'), '{"role":"tool","cont')
    expect((await readTrajectory(dir, 'solo_traj.json')).value?.messages).toEqual([message(1)])
    await writeFile(join(dir, 'solo_traj.jsonl'), `not json\n`)
    expect((await readTrajectory(dir, 'solo_traj.json')).problem).toBe('(journal solo_traj.jsonl) has a line that is not JSON (line 1)')
    await rm(join(dir, 'solo_traj.jsonl'))
    expect(await readTrajectory(dir, 'solo_traj.json')).toEqual({ value: null, problem: null })
  })

  it('a run killed with SIGKILL mid-way leaves a journal whose every message is readable, in order', async () => {
    const recorderModule = resolve(__dirname, '../../dist/runner/trajectory.js')
    const script = `
      const { createTrajectoryRecorder } = await import(${JSON.stringify(recorderModule)})
      const recorder = createTrajectoryRecorder(${JSON.stringify(join(dir, 'agent2_traj.json'))}, ${JSON.stringify(header)})
      for (let n = 1; ; n++) {
        await recorder.append([{ role: 'tool', content: 'x'.repeat(5000), extra: { step: n } }])
        if (n === 50) process.stdout.write('ready\\n')
      }`
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((ready) => child.stdout.on('data', () => ready()))
    child.kill('SIGKILL')
    await new Promise((exited) => child.on('exit', exited))
    const { value, problem } = await readTrajectory(dir, 'agent2_traj.json')
    expect(problem).toBeNull()
    expect(value?.status).toBeNull()
    const steps = ((value?.messages ?? []) as Array<{ extra: { step: number } }>).map((m) => m.extra.step)
    expect(steps.length).toBeGreaterThanOrEqual(50)
    expect(steps).toEqual(steps.map((_, i) => i + 1))
  })
})

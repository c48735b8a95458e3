import { coopSettingRegistration } from '@cooperbench/builtins'
import { PluginRegistry } from '@cooperbench/core'
import { createRootScope } from '@cooperbench/core/plugins'
import { type PairFolder, PairFiles, RunFolderRecords } from '@cooperbench/results'
import type { EvalRecord, Evaluator, ResultsSink } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { evaluateScripted } from '../../src/runner/evaluate-scripted.js'
import { scopeSinks } from '../../src/runner/services.js'

describe('evaluateScripted: a pair whose task is not in the dataset', () => {
  let folder: string
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'evaluate-scripted-'))
  })
  afterEach(() => rm(folder, { recursive: true, force: true }))

  it('gets an error eval.json, and the results sinks hear of it as of any other verdict', async () => {
    const registry = new PluginRegistry()
    registry.register({ name: '@cooperbench/builtins', version: '0.1.0' }, { kind: 'setting', ...coopSettingRegistration })
    const scope = createRootScope({ registry, logger: silentLogger })
    const dir = join(folder, 'coop', 'gone_task', '3', 'f1_f2')
    await mkdir(dir, { recursive: true })
    const pair: PairFolder = { setting: 'coop', repo: 'gone_task', taskId: 3, features: [1, 2], dir, result: null, eval: null, unreadable: [] }
    const heard: string[] = []
    const sink = { specificationVersion: 'results-sink-v1', name: 'recorder', evalWritten: ({ dir }) => void heard.push(dir) } as ResultsSink
    const finished: Array<[string, EvalRecord]> = []
    const evaluator = { name: 'default', plan: async () => ({ record: {} as EvalRecord }) } as unknown as Evaluator
    const runner = { runScriptedJobs: async () => expect.fail('no job is run for a pair without a task') }
    await evaluateScripted(
      {
        scope,
        records: await RunFolderRecords.scan(folder),
        sinks: scopeSinks({ sinks: [sink], logger: silentLogger }),
        pending: [pair],
        taskOf: new Map(),
        signal: new AbortController().signal,
        evalFinished: (_pair, verdict, record) => void finished.push([verdict, record]),
        evalFile: PairFiles.eval,
      },
      runner,
      { evaluator, plan: {} as never },
    )
    const written = JSON.parse(await readFile(join(dir, PairFiles.eval), 'utf8')) as EvalRecord
    expect(written).toMatchObject({ repo: 'gone_task', task_id: 3, features: [1, 2], setting: 'coop', error: 'task gone_task/task3 is not in the dataset' })
    expect(heard).toEqual([dir])
    expect(finished.map(([verdict]) => verdict)).toEqual(['error'])
  })
})

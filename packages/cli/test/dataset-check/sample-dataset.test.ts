import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Dataset, loadDataset, parseFeatureList, selectPairs, parseSetupScript, readFeatureSpec, soloInstructions } from '@cooperbench/dataset'
import { datasetStats, validateDataset } from '../../src/dataset-check/index.js'
import type { Pair } from '@cooperbench/spec'
import { assertSampleDatasetInCi, SAMPLE_DATASET, sampleDatasetSkip, sampleDatasetTitle } from '../../../dataset/test/support/sample-dataset.js'

const SAMPLE = SAMPLE_DATASET

const labels = (pairs: Pair[]): string[] => pairs.map((p) => `${p.task.repo}/${p.task.taskId}/${p.features.join(',')}`)

describe.skipIf(sampleDatasetSkip())(sampleDatasetTitle('the real sample tasks (jinja 1621, chi 26, react-hook-form 85)'), () => {
  let dataset: Dataset
  beforeAll(async () => {
    assertSampleDatasetInCi()
    dataset = await loadDataset(SAMPLE)
  })

  it('discovers repos in lexicographic order, one task each', () => {
    expect(dataset.repos).toEqual(['go_chi_task', 'pallets_jinja_task', 'react_hook_form_task'])
    expect(dataset.tasks.map((t) => `${t.repo}/${t.taskId}/${t.features.length}`)).toEqual([
      'go_chi_task/26/4',
      'pallets_jinja_task/1621/10',
      'react_hook_form_task/85/5',
    ])
  })

  it('yields 6 + 45 + 10 = 61 pairs', () => {
    const pairs = selectPairs(dataset, {})
    expect(pairs).toHaveLength(61)
    expect(datasetStats(dataset, pairs).perRepo.map((r) => [r.repo, r.pairs])).toEqual([
      ['go_chi_task', 6],
      ['pallets_jinja_task', 45],
      ['react_hook_form_task', 10],
    ])
  })

  it('orders features numerically within a task: [1,9], [1,10], [2,3]', () => {
    const jinja = labels(selectPairs(dataset, { repo: 'pallets_jinja_task' }))
    expect(jinja.slice(7, 10)).toEqual(['pallets_jinja_task/1621/1,9', 'pallets_jinja_task/1621/1,10', 'pallets_jinja_task/1621/2,3'])
    expect(jinja.at(-1)).toBe('pallets_jinja_task/1621/9,10')
  })

  it('parses base commit and upstream URL from each Dockerfile, agreeing with setup.sh', async () => {
    const byTask = Object.fromEntries(dataset.tasks.map((t) => [`${t.repo}/${t.taskId}`, t.source]))
    expect(byTask).toEqual({
      'go_chi_task/26': { url: 'https://github.com/go-chi/chi.git', baseCommit: '9436cc85db0d35be06e66b91b4f74bbc0295b07b', bundlePath: null },
      'pallets_jinja_task/1621': { url: 'https://github.com/pallets/jinja.git', baseCommit: 'a2920752fd111c2d52c88eb57487667b3cf0ea7b', bundlePath: null },
      'react_hook_form_task/85': {
        url: 'https://github.com/react-hook-form/react-hook-form.git',
        baseCommit: 'b5863b46346416972c025f4b621cb624ffc4a955',
        bundlePath: null,
      },
    })
    for (const task of dataset.tasks) {
      const setup = parseSetupScript(await readFile(join(task.dir, 'setup.sh'), 'utf8'))
      expect(setup.baseCommit, `${task.repo}/${task.taskId} setup.sh`).toBe(task.source.baseCommit)
      expect(setup.url?.replace(/\.git$/, ''), `${task.repo}/${task.taskId} setup.sh`).toBe(task.source.url?.replace(/\.git$/, ''))
    }
  })

  it('has no manifest (the shipped dataset predates cooperbench.json)', () => {
    expect(dataset.tasks.map((t) => t.manifest)).toEqual([null, null, null])
  })

  it('-f 3,1 is normalised to [1,3] and selects that pair in every task', () => {
    const features = parseFeatureList('3,1')
    expect(features).toEqual([1, 3])
    expect(labels(selectPairs(dataset, { features }))).toEqual(['go_chi_task/26/1,3', 'pallets_jinja_task/1621/1,3', 'react_hook_form_task/85/1,3'])
  })

  it('-r and -t filters', () => {
    expect(selectPairs(dataset, { repo: 'go_chi_task' })).toHaveLength(6)
    expect(selectPairs(dataset, { task: 85 })).toHaveLength(10)
    expect(selectPairs(dataset, { repo: 'pallets_jinja_task', task: 1621 })).toHaveLength(45)
    expect(() => selectPairs(dataset, { repo: 'go_chi_task', task: 1621 })).toThrow(/no task 1621 in go_chi_task/)
    expect(labels(selectPairs(dataset, { task: 26, features: [4, 2] }))).toEqual(['go_chi_task/26/2,4'])
  })

  it('solo instructions join the real specs ascending', async () => {
    const task = dataset.tasks[0]
    if (task === undefined) throw new Error('no task')
    const texts = await Promise.all([2, 1].map(async (id) => ({ id, text: await readFeatureSpec(task, id) })))
    const solo = soloInstructions(texts)
    expect(solo.startsWith('## Feature 1\n\n')).toBe(true)
    expect(solo).toContain(`\n\n---\n\n## Feature 2\n\n${texts[0]?.text}`)
  })

  it('validates without a single problem', async () => {
    expect(await validateDataset(dataset)).toEqual([])
  })
})

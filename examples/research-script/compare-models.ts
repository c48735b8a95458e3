/**
 * Compares two models on a subset of CooperBench, as a researcher would from a script:
 * one coop run per model (evaluated as pairs finish), then a table of pass rates with 95%
 * intervals and costs, and the difference between the two.
 *
 *   node --experimental-strip-types compare-models.ts --models openai/gpt-4o,openai/gpt-4o-mini -s demo
 *
 * Options: --models A,B (required), -s/--subset, -r/--repo, -t/--task, --setting coop|solo,
 * --base-url URL (an OpenAI-compatible server for both models), --dataset-dir, --log-dir,
 * -c/--concurrency, --agent (default mini_swe_agent). Runs resume: rerunning the script skips
 * finished pairs.
 */
import { parseArgs } from 'node:util'
import { run, type RunResult } from 'cooperbench'

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    subset: { type: 'string', short: 's' },
    repo: { type: 'string', short: 'r' },
    task: { type: 'string', short: 't' },
    setting: { type: 'string', default: 'coop' },
    agent: { type: 'string', default: 'mini_swe_agent' },
    'base-url': { type: 'string' },
    'dataset-dir': { type: 'string' },
    'log-dir': { type: 'string' },
    concurrency: { type: 'string', short: 'c', default: '4' },
  },
})

const models = (values.models ?? '')
  .split(',')
  .map((m) => m.trim())
  .filter(Boolean)
if (models.length !== 2) {
  console.error('error: --models needs two model ids, e.g. --models openai/gpt-4o,openai/gpt-4o-mini')
  process.exit(2)
}
const setting = values.setting === 'solo' ? 'solo' : 'coop'

const results: Array<{ model: string; result: RunResult }> = []
for (const model of models) {
  const result = await run({
    modelName: model,
    modelBaseUrl: values['base-url'],
    agent: values.agent,
    setting,
    subset: values.subset,
    repo: values.repo,
    taskId: values.task === undefined ? undefined : Number(values.task),
    datasetDir: values['dataset-dir'],
    logDir: values['log-dir'],
    concurrency: Number(values.concurrency),
    onEvent: (event) => {
      if (event.type === 'evalFinished') console.error(`${model}  ${event.pair.label}  ${event.verdict}`)
      if (event.type === 'warning') console.error(`warning: ${event.message}`)
    },
  })
  results.push({ model, result })
}

const percent = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`)
// A model with no known price (a --base-url server) records its calls at 0: that is no cost, not $0.
const cost = (result: RunResult) => {
  const usd = `$${result.cost.toFixed(4)}`
  if (result.costUnknownPairs === 0) return usd
  return result.costUnknownPairs >= result.pairs.length ? 'unknown' : `≥ ${usd}`
}
console.log(['model', 'run', 'pairs', 'passed', 'rate', '95% CI', 'cost'].join('\t'))
for (const { model, result } of results) {
  const rate = result.passRate
  const ci = rate?.ci ? `[${percent(rate.ci.low)}, ${percent(rate.ci.high)}]` : '–'
  console.log([model, result.runName, result.pairs.length, rate?.passed ?? 0, percent(rate?.rate), ci, cost(result)].join('\t'))
}
const [a, b] = results.map((r) => r.result.passRate?.rate ?? null)
if (a !== null && a !== undefined && b !== null && b !== undefined) {
  console.log(`difference (${models[0]} − ${models[1]}): ${((a - b) * 100).toFixed(1)} points`)
}

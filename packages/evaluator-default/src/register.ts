import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { createDefaultEvaluator } from './evaluator/default-evaluator.js'

const version = packageVersion(import.meta.url)

/** Contributes evaluator `default`, the reference evaluation; the host also hands it to evaluators wrapping it (`FactoryContext.defaultEvaluator`). */
export default definePlugin({
  name: '@cooperbench/evaluator-default',
  version,
  // First-party plugins move in lockstep with core's minor version.
  coreRange: '^0.1.0',
  register(api) {
    api.evaluator({
      name: 'default',
      specificationVersion: 'evaluator-v1',
      description: 'CooperBench evaluation: per-agent branches, naive then union merge, hidden tests via runner.sh',
      create: () => createDefaultEvaluator(),
    })
  },
})

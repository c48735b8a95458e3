import { CooperbenchError, definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { createStrictEvaluator } from './strict-evaluator.js'

const version = packageVersion(import.meta.url)

/** The plugin that contributes evaluator `strict` (choose it with `--evaluator strict`). */
export default definePlugin({
  name: 'cooperbench-evaluator-strict',
  version,
  coreRange: '^0.1.0',
  register(api) {
    api.evaluator({
      name: 'strict',
      specificationVersion: 'evaluator-v1',
      description: 'The reference evaluation, but a pair whose patches conflict under a plain git merge fails (no union fallback credit)',
      optionsSchema: {
        type: 'object',
        additionalProperties: false,
        properties: { refuseMissingInput: { type: 'boolean', default: true, description: 'Also fail a pair one of whose patches did not apply.' } },
      },
      create: ({ options, defaultEvaluator }) => {
        if (!defaultEvaluator)
          throw new CooperbenchError('PLUGIN_INCOMPATIBLE', 'evaluator strict needs a host that provides its reference evaluator', {
            hint: 'Upgrade cooperbench.',
          })
        return createStrictEvaluator(defaultEvaluator(), options as { refuseMissingInput?: boolean })
      },
    })
  },
})

import { CLI_PROMPT_PROFILE } from '../prompt.js'
import { loadReferencePromptTemplate } from './prompt-template.js'

/** The run's prompt source: `cooperbench-cli-v1`, or with `protocol: reference` `reference-template:sha256:<hex>` of the template file. */
export async function cliPromptSource(options: { protocol?: string; prompt_template?: string | null }): Promise<string> {
  if (options.protocol !== 'reference' || typeof options.prompt_template !== 'string') return CLI_PROMPT_PROFILE
  return `reference-template:${(await loadReferencePromptTemplate(options.prompt_template)).digest}`
}

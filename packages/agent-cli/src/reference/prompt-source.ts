import { createHash } from 'node:crypto'
import { CLI_PROMPT_PROFILE } from '../prompt.js'
import { loadReferencePromptTemplate } from './prompt-template.js'

/** The run's prompt source: `cooperbench-cli-v1`, or with `protocol: reference` `reference-template:sha256:<hex>` of the template file(s). */
export async function cliPromptSource(options: { protocol?: string; prompt_template?: string | null; team_prompt_template?: string | null }): Promise<string> {
  if (options.protocol !== 'reference' || typeof options.prompt_template !== 'string') return CLI_PROMPT_PROFILE
  const teamPath = typeof options.team_prompt_template === 'string' ? options.team_prompt_template : null
  const template = await loadReferencePromptTemplate(options.prompt_template, teamPath)
  if (template.team === null) return `reference-template:${template.digest}`
  // With a team block, one digest of both files: the prompt changes with either.
  return `reference-template:sha256:${createHash('sha256').update(`${template.digest}\n${template.team.digest}`).digest('hex')}`
}

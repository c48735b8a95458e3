import type { Logger } from '@cooperbench/spec'
import type { ClientSettings } from './settings.js'
import type { TokenCapture } from './types.js'

/**
 * Upstream 0.0.20's `capture_token_ids`: requests carry `return_token_ids: true` (its `extra_body`), which vLLM >= 0.10.2 and
 * SGLang accept on Chat Completions. Only the OpenAI-compatible client can add a body key (its provider options are spread
 * into the body); the others (Responses, Anthropic, Gemini, and OpenAI's own client at OPENAI_BASE_URL) cannot: as upstream
 * says, other API shapes discard the ids.
 */
export function tokenIdsProviderOptions(settings: ClientSettings): Record<string, Record<string, true>> | null {
  if (settings.client !== 'openai-compatible') return null
  // The AI SDK reads a provider's options under its name in camelCase (the raw name is deprecated there).
  return { [camelCase(settings.name)]: { return_token_ids: true } }
}

/** As the AI SDK's `toCamelCase`: `hosted_vllm` → `hostedVllm`, `openai-compatible` → `openaiCompatible`. */
function camelCase(name: string): string {
  return name.replace(/[_-]([a-z])/g, (match) => match[1]!.toUpperCase())
}

/**
 * The token ids a Chat Completions response carried, as vLLM returns them (upstream 0.0.21 moved its reading there): the
 * prompt's at the top level (`prompt_token_ids`), the completion's on the choice (`choices[0].token_ids`). A choice's own
 * `prompt_token_ids` is read when the top level has none (older vLLM builds put it there). Null when neither came: nothing
 * is ever made up.
 */
export function tokenIdsOf(body: unknown): TokenCapture | null {
  if (body === null || typeof body !== 'object') return null
  const top = body as Record<string, unknown>
  const choices = top['choices']
  const choice = (Array.isArray(choices) ? choices[0] : undefined) as Record<string, unknown> | undefined
  const prompt = idsOf(top['prompt_token_ids']) ?? idsOf(choice?.['prompt_token_ids'])
  const completion = idsOf(choice?.['token_ids'])
  if (prompt === null && completion === null) return null
  return { ...(prompt === null ? {} : { prompt_token_ids: prompt }), ...(completion === null ? {} : { completion_token_ids: completion }) }
}

/** A list of token ids (non-negative integers), else null. */
function idsOf(value: unknown): number[] | null {
  if (!Array.isArray(value) || !value.every((id) => Number.isInteger(id) && id >= 0)) return null
  return value as number[]
}

/** Models already warned about missing ids in this process: one warning per model per run, not per agent or call. */
const warned = new Set<string>()

/** Warns once per model that the ids asked for did not come, or cannot be asked for on this route; nothing is stored. */
export function warnNoTokenIds(model: string, logger: Logger, settings: ClientSettings): void {
  if (warned.has(model)) return
  warned.add(model)
  const why =
    settings.client === 'openai-compatible'
      ? 'the server returned no token ids (it needs vLLM >= 0.10.2 or SGLang, which answer return_token_ids)'
      : `its requests go through the ${settings.client} client, which cannot ask for them (an OpenAI-compatible server via --model-base-url can)`
  logger.warn(`capture_token_ids is on but ${model} gives no token ids: ${why}; the trajectory records none for its calls`)
}

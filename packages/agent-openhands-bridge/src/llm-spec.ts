/** The agent spec's `llm` (LiteLLM model names), its key from the harness's environment: `LLM_API_KEY`, else the provider's variable. */
const PROVIDER_KEYS: Record<string, string[]> = {
  openai: ['OPENAI_API_KEY'],
  anthropic: ['ANTHROPIC_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY'],
  openrouter: ['OPENROUTER_API_KEY'],
}

export function llmSpec(model: string, baseUrl: string | null, env: NodeJS.ProcessEnv): { model: string; api_key: string; base_url?: string } {
  const provider = model.includes('/') ? model.split('/')[0]! : model.startsWith('claude') ? 'anthropic' : model.startsWith('gemini') ? 'gemini' : 'openai'
  const names = ['LLM_API_KEY', ...(PROVIDER_KEYS[provider] ?? [])]
  const key = names.map((name) => env[name]).find((value) => value !== undefined && value !== '')
  return { model, api_key: key ?? 'EMPTY', ...(baseUrl ? { base_url: baseUrl } : {}) }
}

import type { wrapLanguageModel } from 'ai'
import { markingFetch } from './cache-control-content.js'
import type { ClientSettings } from './settings.js'

/** An AI SDK language model object (what provider factories return). */
export type SdkLanguageModel = Parameters<typeof wrapLanguageModel>[0]['model']

/** Models kept for reuse; a process rarely talks to more than a couple of (model, endpoint) pairs. */
const SHARED_MODELS_KEPT = 16
const sharedModels = new Map<string, Promise<SdkLanguageModel>>()

/**
 * One AI SDK model object per settings in this process, shared by its agents: stateless, but costly (the OpenAI-compatible provider builds
 * ~100 zod schemas per object, at 1000 pairs most of the heap held per agent). A failed load is forgotten, so the next call tries again.
 */
export function sharedSdkModel(settings: ClientSettings): Promise<SdkLanguageModel> {
  const key = JSON.stringify(settings)
  let model = sharedModels.get(key)
  if (model === undefined) {
    model = createSdkModel(settings)
    sharedModels.set(key, model)
    model.catch(() => {
      if (sharedModels.get(key) === model) sharedModels.delete(key)
    })
    // The oldest goes first: its agents keep their reference; new ones make another.
    if (sharedModels.size > SHARED_MODELS_KEPT) sharedModels.delete(sharedModels.keys().next().value!)
  }
  return model
}

/** The AI SDK model for the settings: provider packages imported on first use, keys passed (never read from `process.env` by them). */
export async function createSdkModel(settings: ClientSettings): Promise<SdkLanguageModel> {
  switch (settings.client) {
    case 'openai-responses':
    case 'openai-chat': {
      const { createOpenAI } = await import('@ai-sdk/openai')
      const openai = createOpenAI({ apiKey: settings.apiKey, baseURL: settings.baseUrl, fetch: markingFetch })
      return settings.client === 'openai-chat' ? openai.chat(settings.modelId) : openai.responses(settings.modelId)
    }
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic')
      return createAnthropic({ apiKey: settings.apiKey, baseURL: settings.baseUrl }).messages(settings.modelId)
    }
    case 'google': {
      const { createGoogleGenerativeAI } = await import('@ai-sdk/google')
      return createGoogleGenerativeAI({ apiKey: settings.apiKey, baseURL: settings.baseUrl }).languageModel(settings.modelId)
    }
    case 'vertex':
    case 'vertex-anthropic': {
      const options = { project: settings.project, location: settings.location, googleAuthOptions: googleAuthOptions(settings) }
      if (settings.client === 'vertex') return (await import('@ai-sdk/google-vertex')).createVertex(options).languageModel(settings.modelId)
      return (await import('@ai-sdk/google-vertex/anthropic')).createVertexAnthropic(options).languageModel(settings.modelId)
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible')
      const options = { name: settings.name, baseURL: settings.baseUrl, apiKey: settings.apiKey, includeUsage: true, fetch: markingFetch }
      return createOpenAICompatible(options).chatModel(settings.modelId)
    }
  }
}

function googleAuthOptions(settings: Extract<ClientSettings, { client: 'vertex' | 'vertex-anthropic' }>) {
  return {
    scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    projectId: settings.project,
    ...(settings.keyFilename === undefined ? {} : { keyFilename: settings.keyFilename }),
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
  }
}

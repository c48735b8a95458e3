import { calcPrice } from '@pydantic/genai-prices'
import { routeModel } from './routing.js'
import type { Usage } from './types.js'

/** Costs come from `@pydantic/genai-prices`'s bundled table: `updatePrices`, which would fetch at run time, is never called. */

export interface PriceQuery {
  /** The genai-prices provider id; `null`: no price (a custom endpoint). */
  priceProvider: string | null
  /** Ids to look up, in order (the requested id, then the one the response names). */
  modelIds: ReadonlyArray<string | undefined>
  usage: Usage
}

/** The cost of one request in USD, or `null` for a model the table does not know; never throws or warns (the agent warns once). */
export function computeCost({ priceProvider, modelIds, usage }: PriceQuery): number | null {
  if (priceProvider === null) return null
  const cached = usage.cacheReadTokens + usage.cacheWriteTokens
  const priced = {
    // genai-prices counts cache reads and writes as parts of input_tokens.
    input_tokens: Math.max(usage.inputTokens, cached),
    output_tokens: usage.outputTokens,
    cache_read_tokens: usage.cacheReadTokens,
    cache_write_tokens: usage.cacheWriteTokens,
  }
  for (const modelId of new Set(modelIds)) {
    if (modelId === undefined || modelId === '') continue
    try {
      const result = calcPrice(priced, modelId, { providerId: priceProvider })
      if (result !== null && Number.isFinite(result.total_price)) return result.total_price
    } catch {
      // A price entry the usage does not fit (or a table bug): no price rather than a crash.
    }
  }
  return null
}

/**
 * Whether the price table knows `model` as LiteLLM prices it by name (the reference's clients,
 * whatever `baseUrl` serves it): asked before a run whose agent refuses unpriced calls under a cost limit.
 */
export function knowsPriceByName(model: string, baseUrl: string | null): boolean {
  const route = routeModel(model, baseUrl, { byName: true })
  const usage = { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 }
  return computeCost({ priceProvider: route.priceProvider, modelIds: [route.priceModelId ?? route.modelId], usage }) !== null
}

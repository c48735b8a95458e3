/**
 * Metrics: sdk/llm/utils/metrics.py (Metrics, MetricsSnapshot, TokenUsage) and
 * sdk/conversation/conversation_stats.py (ConversationStats.usage_to_metrics).
 */
import type { JsonObject } from './json.js'

interface TokenUsage {
  model: string
  prompt_tokens: number
  completion_tokens: number
  cache_read_tokens: number
  cache_write_tokens: number
  reasoning_tokens: number
  context_window: number
  per_turn_token: number
  response_id: string
}

export class Metrics {
  accumulatedCost = 0
  readonly costs: JsonObject[] = []
  readonly latencies: JsonObject[] = []
  readonly tokenUsages: TokenUsage[] = []
  accumulated: TokenUsage

  constructor(readonly modelName: string) {
    this.accumulated = this.usage({})
  }

  private usage(values: Partial<TokenUsage>): TokenUsage {
    return {
      model: this.modelName,
      prompt_tokens: 0,
      completion_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
      context_window: 0,
      per_turn_token: 0,
      response_id: '',
      ...values,
    }
  }

  addCost(cost: number): void {
    this.accumulatedCost += cost
    this.costs.push({ model: this.modelName, cost, timestamp: Date.now() / 1000 })
  }

  addLatency(latency: number, responseId: string): void {
    this.latencies.push({ model: this.modelName, latency: Math.max(0, latency), response_id: responseId })
  }

  addTokenUsage(values: { prompt: number; completion: number; cacheRead: number; cacheWrite: number; reasoning: number; responseId: string }): void {
    const perTurn = values.prompt + values.completion
    const fields = {
      prompt_tokens: values.prompt,
      completion_tokens: values.completion,
      cache_read_tokens: values.cacheRead,
      cache_write_tokens: values.cacheWrite,
      reasoning_tokens: values.reasoning,
      context_window: 0,
      per_turn_token: perTurn,
    }
    this.tokenUsages.push(this.usage({ ...fields, response_id: values.responseId }))
    const a = this.accumulated
    this.accumulated = this.usage({
      prompt_tokens: a.prompt_tokens + values.prompt,
      completion_tokens: a.completion_tokens + values.completion,
      cache_read_tokens: a.cache_read_tokens + values.cacheRead,
      cache_write_tokens: a.cache_write_tokens + values.cacheWrite,
      reasoning_tokens: a.reasoning_tokens + values.reasoning,
      context_window: Math.max(a.context_window, 0),
      per_turn_token: perTurn,
    })
  }

  /** MetricsSnapshot.model_dump(). */
  snapshot(): JsonObject {
    return { model_name: this.modelName, accumulated_cost: this.accumulatedCost, max_budget_per_task: null, accumulated_token_usage: { ...this.accumulated } }
  }

  /** Metrics.model_dump(mode="json"): the snapshot plus the per-call lists. */
  full(): JsonObject {
    return {
      ...this.snapshot(),
      costs: this.costs.map((c) => ({ ...c })),
      response_latencies: this.latencies.map((l) => ({ ...l })),
      token_usages: this.tokenUsages.map((t) => ({ ...t })),
    }
  }
}

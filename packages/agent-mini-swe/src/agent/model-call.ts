/** What the loop and the protocols share about model calls and the harness's signals. */

/** Models already warned about an unknown price in this process: one warning per model per run, not per agent. */
export const warnedUnknownPrices = new Set<string>()

/**
 * Model call failures of the provider's or the configuration's making (down, overloaded,
 * unreachable, too slow; a key it refuses; a URL that does not serve the API): never the agent's.
 */
export function providerFailure(cause: unknown): boolean {
  const kind = (cause as { name?: unknown; kind?: unknown } | null)?.name === 'ModelCallError' ? (cause as { kind: unknown }).kind : null
  return kind === 'connection' || kind === 'timeout' || kind === 'server' || kind === 'rate-limit' || kind === 'auth' || kind === 'protocol'
}

/** A model call that failed after the client's retries: the agent ends with status `Error`. */
export class ModelCallFailed extends Error {}

/** The harness' wall-clock limit fires `ctx.signal` with a TimeoutError (AbortSignal.timeout). */
export const isTimeout = (signal: AbortSignal) => signal.aborted && (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError'

/**
 * The warning for a model without a known price, saying what is recorded: the calls add 0 to the
 * result's cost and are marked `cost_unknown` in the trajectory, so summaries, reports and the
 * viewer show "cost unknown" (never $0), and the cost limit cannot stop them.
 */
export function unknownPriceWarning(model: string): string {
  return (
    `no price known for model ${model}: its cost is unknown (shown as "cost unknown", never $0; result.json adds 0 for its calls ` +
    'and the trajectory marks them cost_unknown), and the cost limit cannot stop them: bound the run with --step-limit or --agent-timeout'
  )
}

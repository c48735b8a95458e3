/** Whether an agent's trajectory messages include a model call without a known price (`extra.cost_unknown: true`). */
export function hasUnknownCost(messages: readonly unknown[]): boolean {
  return messages.some((message) => (message as { extra?: { cost_unknown?: unknown } } | null)?.extra?.cost_unknown === true)
}

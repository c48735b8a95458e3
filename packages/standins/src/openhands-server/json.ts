/** Plain JSON data helpers. */

export type JsonObject = Record<string, unknown>

/** A deep copy of JSON data (structuredClone needs Node 17; task images may have older ones). */
export const jsonClone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

import type { OptionsOf, OptionsSchema } from '@cooperbench/spec'

/**
 * Each property's `default`: what an object gets when its config says nothing. As the registry's validator, an object `default` gets
 * its own properties' defaults (`compaction: { default: {}, properties: { enabled: { default: true } } }` gives `{ enabled: true }`).
 */
export function optionsDefaults<S extends OptionsSchema>(schema: S): OptionsOf<S> {
  const defaults: Record<string, unknown> = {}
  for (const [key, property] of Object.entries(schema.properties)) {
    if (!('default' in property)) continue
    const value = structuredClone(property['default'])
    const nested = typeof property['properties'] === 'object' && typeof value === 'object' && value !== null && !Array.isArray(value)
    defaults[key] = nested ? { ...optionsDefaults(property as OptionsSchema), ...value } : value
  }
  return defaults as OptionsOf<S>
}

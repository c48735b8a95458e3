/** The value of `key` in `map`, made by `make` and stored there when it has none. */
export function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  if (!map.has(key)) map.set(key, make())
  return map.get(key)!
}

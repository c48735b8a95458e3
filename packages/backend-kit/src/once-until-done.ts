/** `action` made idempotent: calls while it runs and after it succeeded share its promise; a failure is forgotten. */
export function onceUntilDone<T = void>(action: () => Promise<T>): () => Promise<T> {
  let done: Promise<T> | undefined
  return () => {
    if (done === undefined) {
      const attempt = action()
      done = attempt
      attempt.catch(() => {
        if (done === attempt) done = undefined
      })
    }
    return done
  }
}

/** {@link onceUntilDone} per key of `shared`, made by `create` on first use; a failure is forgotten while still the entry (a retry may have replaced it). */
export function sharedPerKey<T>(shared: Map<string, Promise<T>>, key: string, create: () => Promise<T>): Promise<T> {
  const existing = shared.get(key)
  if (existing) return existing
  const created = create()
  shared.set(key, created)
  created.catch(() => shared.get(key) === created && shared.delete(key))
  return created
}

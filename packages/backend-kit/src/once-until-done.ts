/**
 * `action` made idempotent: calls while it runs and after it succeeded share its promise; a
 * failure is forgotten, so the next call tries again. What a sandbox's `terminate` needs.
 */
export function onceUntilDone(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
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

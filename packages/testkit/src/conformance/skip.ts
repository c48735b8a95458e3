import { describe, it } from 'vitest'

/**
 * Registers a skipped suite for `title` and says why on stderr: a reporter shows a file whose
 * tests are all skipped as a bare count, so the reason would otherwise be seen by no one.
 */
export function skippedSuite(title: string, reason: string): void {
  console.warn(`${title}: skipped, ${reason}`)
  describe.skip(`${title} (skipped: ${reason})`, () => {
    it(`skipped: ${reason}`, () => {})
  })
}

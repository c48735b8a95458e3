import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Answers of the real OpenHands agent server, recorded by record-real-server.test.ts. */
export const FIXTURE_DIR = fileURLToPath(new URL('./fixtures/openhands-server/', import.meta.url))

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURE_DIR}${name}.json`, 'utf8')) as T
}

import { execFileSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** A `files` entry that names a path, not a pattern: no negation, no glob characters. */
const LITERAL = /^[^!*?[\]{}]+$/

/** Literal `files` entries a local plugin lacks (as `dist` when packed before its build), never negations or globs; empty if unreadable (npm then says why). */
export function missingPackedFiles(path: string, files: readonly unknown[] | undefined): string[] {
  const literal = (files ?? []).filter((f): f is string => typeof f === 'string' && LITERAL.test(f)).map((f) => f.replace(/^\.\//, '').replace(/\/+$/, ''))
  if (literal.length === 0) return []
  try {
    if (statSync(path).isDirectory()) return literal.filter((f) => !existsSync(join(path, f)))
    const listing = execFileSync('tar', ['-tzf', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 })
      .split('\n')
      .map((line) => line.replace(/^package\//, '').replace(/\/+$/, ''))
    return literal.filter((f) => !listing.some((entry) => entry === f || entry.startsWith(`${f}/`)))
  } catch {
    return []
  }
}

let silenced = false

/**
 * Drops @oclif/plugin-plugins' "the prepare script did not produce all the expected files" warning from stderr for this process:
 * it follows every install from a URL (local too) and reads `files` entries as literal paths, so any negation or glob
 * (`!dist/**\/*.tsbuildinfo`) sets it off, and npm runs no prepare script for a tarball anyway; `missingPackedFiles` applies instead.
 */
export function silenceOclifPrepareWarning(): void {
  if (silenced) return
  silenced = true
  const write = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean
  let dropped = false
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : ''
    const message = /the prepare script/.test(text) && /expected files/.test(text)
    // The newline oclif may write after the message goes with it.
    const drop = message || (dropped && text === '\n')
    dropped = message
    return drop || write(chunk, ...rest)
  }) as typeof process.stderr.write
}

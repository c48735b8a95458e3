import { readFile } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { CooperbenchError } from '@cooperbench/core'
import { writeFileAtomic, writeJsonAtomic } from '@cooperbench/results'
import YAML from 'yaml'

/** What `cooperbench config <backend>` writes: the backend's options, and optionally the default backend. */
export interface BackendSettingsUpdate {
  backend: string
  options: Record<string, unknown>
  makeDefault: boolean
}

/**
 * Writes `backends.<name>` (merged) and, if asked, `backend: <name>` into the config file (new in `cwd` if none) atomically, keeping the
 * rest: JSON, YAML (with comments), `package.json`'s `cooperbench`; JS/TS can't be edited safely (the error says what to add). Returns the path.
 */
export async function writeBackendSettings(file: string | null, cwd: string, update: BackendSettingsUpdate): Promise<string> {
  const target = file ?? join(cwd, 'cooperbench.config.json')
  const name = basename(target)
  const extension = extname(target)
  // A new file is an empty JSON one.
  const text = file === null ? '' : await readFile(target, 'utf8')
  if (name === 'package.json') {
    const json = parseJson(text, target)
    const own = (json.cooperbench as Record<string, unknown> | undefined) ?? {}
    await writeJsonAtomic(target, { ...json, cooperbench: applyUpdate(own, update) })
    return target
  }
  if (extension === '.json' || (name === '.cooperbenchrc' && text.trimStart().startsWith('{'))) {
    await writeJsonAtomic(target, applyUpdate(parseJson(text, target), update))
    return target
  }
  if (extension === '.yaml' || extension === '.yml' || name === '.cooperbenchrc') {
    const document = YAML.parseDocument(text)
    if (document.errors.length > 0) throw unreadable(target, document.errors[0]!.message)
    for (const [key, value] of Object.entries(update.options)) document.setIn(['backends', update.backend, key], value)
    if (update.makeDefault) document.set('backend', update.backend)
    await writeFileAtomic(target, document.toString())
    return target
  }
  const snippet = JSON.stringify(applyUpdate({}, update), null, 2)
  throw new CooperbenchError('CONFIG_INVALID', `cannot edit ${target}: it is a program, not data`, {
    details: snippet.split('\n'),
    hint: `Add the settings above to the object ${name} exports.`,
  })
}

function applyUpdate(config: Record<string, unknown>, update: BackendSettingsUpdate): Record<string, unknown> {
  const backends = { ...((config.backends as Record<string, unknown> | undefined) ?? {}) }
  backends[update.backend] = { ...((backends[update.backend] as Record<string, unknown> | undefined) ?? {}), ...update.options }
  return { ...config, ...(update.makeDefault ? { backend: update.backend } : {}), backends }
}

function parseJson(text: string, path: string): Record<string, unknown> {
  try {
    const value: unknown = text.trim() === '' ? {} : JSON.parse(text)
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the top level is not an object')
    return value as Record<string, unknown>
  } catch (error) {
    throw unreadable(path, (error as Error).message)
  }
}

function unreadable(path: string, reason: string) {
  return new CooperbenchError('CONFIG_INVALID', `cannot read ${path} to add settings to it: ${reason}`, { hint: 'Fix the file, then run the command again.' })
}

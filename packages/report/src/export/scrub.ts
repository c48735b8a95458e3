import { homedir, tmpdir } from 'node:os'
import { join, resolve, sep } from 'node:path'
import { redactSecrets } from '@cooperbench/config'
import { readJsonIfPresent, RunFiles, runDir } from '@cooperbench/results'
import { SecretScrubber } from '@cooperbench/spec-utils'

/** This machine's folders a run used, named in what is exported by a placeholder instead. */
export interface HostFolders {
  logDir: string
  /** The dataset folders the run's config.json names and the one given now. */
  datasetDirs: readonly string[]
  /** Other recorded folders of the run (config.json's `logDir` when the run was written elsewhere). */
  others?: readonly string[]
  /** Any other absolute path of this machine the runs' configuration holds (a plugin's option, its folder): `<host_path>`. */
  hostPaths?: readonly string[]
}

/** An absolute path in a value: a `/` that starts a word (not a URL's, nor inside a relative path), up to a space or quote. */
const ABSOLUTE_PATH = /(?<![\w.~:/-])\/[^\s'"`,;:()]+/g

/**
 * The host folders of the named runs, from each one's config.json: its log dir and dataset folder as recorded (besides
 * `logDir` and `datasetDirs`, given now), and every absolute path in the values of its configuration, plugin options
 * (`agents.swe_agent.config_root`, a server command's script), plugin folders and `--agent-config`'s file included.
 */
export async function runHostFolders(logDir: string, runNames: readonly string[], datasetDirs: readonly string[]): Promise<HostFolders> {
  const folders = { logDir, datasetDirs: [...datasetDirs], others: [] as string[], hostPaths: [] as string[] }
  for (const run of new Set(runNames)) {
    const stored = await readJsonIfPresent<{ config?: Record<string, unknown> }>(join(runDir(logDir, run), RunFiles.config)).catch(() => null)
    const config = stored?.config
    if (config === undefined || config === null || typeof config !== 'object') continue
    if (typeof config['datasetDir'] === 'string') folders.datasetDirs.push(config['datasetDir'])
    if (typeof config['logDir'] === 'string') folders.others.push(config['logDir'])
    folders.hostPaths.push(...absolutePathsIn(config))
  }
  return folders
}

function absolutePathsIn(value: unknown): string[] {
  if (typeof value === 'string') return value.match(ABSOLUTE_PATH) ?? []
  if (Array.isArray(value)) return value.flatMap(absolutePathsIn)
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(absolutePathsIn)
  return []
}

/**
 * For every JSON value leaving in an export or bundle: secrets go by `redactSecrets` and `SecretScrubber` (key-like env values, bearer tokens,
 * API-key headers, key-shaped tokens); host folders become `<log_dir>`, `<dataset_dir>`, `<host_path>`, `<cwd>`, `<home>`, `<sandbox_root>`
 * (local sandboxes').
 */
export function exportScrubber(folders: HostFolders, env: NodeJS.ProcessEnv = process.env): <T>(value: T) => T {
  const secrets = new SecretScrubber([], env)
  const paths = hostPaths(folders)
  const text = (value: string) => {
    let result = secrets.text(value)
    for (const [path, label] of paths) if (result.includes(path)) result = result.split(path).join(label)
    return result
  }
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value)
    if (Array.isArray(value)) return value.map(walk)
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [text(k), walk(v)]))
    return value
  }
  return <T>(value: T) => walk(redactSecrets(value)) as T
}

/** Each folder as an absolute path with its placeholder, longest first (a folder inside another is replaced whole). */
function hostPaths(folders: HostFolders) {
  const named: Array<[string | undefined, string]> = [
    [folders.logDir, '<log_dir>'],
    ...folders.datasetDirs.map((dir): [string, string] => [dir, '<dataset_dir>']),
    ...(folders.others ?? []).map((dir): [string, string] => [dir, '<log_dir>']),
    ...(folders.hostPaths ?? []).map((path): [string, string] => [path, '<host_path>']),
    [join(tmpdir(), 'cooperbench-local'), '<sandbox_root>'],
    [process.cwd(), '<cwd>'],
    [homedir(), '<home>'],
  ]
  const found = new Map<string, string>()
  for (const [path, label] of named) {
    if (!path) continue
    const absolute = resolve(path)
    // `/`, `/root`, `/tmp`: too short to be this machine's alone (sandbox paths share them).
    if (absolute.split(sep).filter(Boolean).length < 2 || found.has(absolute)) continue
    found.set(absolute, label)
  }
  return [...found].sort((a, b) => b[0].length - a[0].length)
}

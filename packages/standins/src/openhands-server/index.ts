import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where task images and tests usually put the stand-in server. */
export const FAKE_OPENHANDS_SERVER_DIR = '/opt/cooperbench-fake-openhands'

/** The program's file name inside the directory `fakeOpenHandsServerFiles()` fills. */
export const FAKE_OPENHANDS_SERVER_ENTRY = 'server.js'

/**
 * The shell command that starts the stand-in OpenHands agent server written into `dir` (see
 * `fakeOpenHandsServerFiles`), e.g. `node '/opt/cooperbench-fake-openhands/server.js' --port 8000`.
 * `extraArgs` are appended (quoted): `--host`, and the fault flags documented in the server's
 * header (`--drop-ws-after N`, `--drop-ws-times K`, `--hang run|llm`, `--startup-delay-ms N`,
 * `--command-timeout S`, `--reset-status-reads N`). The session key is read from `SESSION_API_KEY`.
 */
export function fakeOpenHandsServerCommand(dir: string = FAKE_OPENHANDS_SERVER_DIR, port: number | string = 8000, extraArgs: readonly string[] = []): string {
  const quote = (text: string): string => (/^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`)
  return ['node', quote(`${dir.replace(/\/+$/, '')}/${FAKE_OPENHANDS_SERVER_ENTRY}`), '--port', String(port), ...extraArgs.map(quote)].join(' ')
}

/** The compiled server's entry: beside this module in dist/, or in dist/ when this module runs from src/ (vitest). */
function compiledServerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [join(here, 'server.js'), join(here, '..', '..', 'dist', 'openhands-server', 'server.js')]
  const found = candidates.find((candidate) => existsSync(candidate))
  if (found === undefined) throw new Error(`the stand-in OpenHands server is not built (looked for ${candidates.join(', ')}); run \`pnpm build\``)
  return found
}

/** Compiled modules beside the server that package it rather than belong to it (this module). */
const PACKAGING_MODULES = new Set(['index.js'])

/** Whether a compiled file (path relative to the server's directory) is a module of the program. */
const isProgramModule = (path: string): boolean => path.endsWith('.js') && !PACKAGING_MODULES.has(path)

/** Adds the files under `dir` that `keep` accepts, by `prefix` + their path relative to `base` (node_modules skipped). */
function walk(dir: string, base: string, out: Map<string, Uint8Array>, prefix: string, keep: (path: string) => boolean = () => true): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    const stat = statSync(path)
    if (stat.isDirectory()) {
      if (name === 'node_modules') continue
      walk(path, base, out, prefix, keep)
    } else if (stat.isFile()) {
      const relativePath = relative(base, path).split(sep).join('/')
      if (keep(relativePath)) out.set(prefix === '' ? relativePath : `${prefix}/${relativePath}`, new Uint8Array(readFileSync(path)))
    }
  }
}

/**
 * The files of the stand-in OpenHands agent server, by path relative to the directory they are
 * to be written under: `server.js` (the program's entry, ESM) and the program's other compiled
 * modules beside it (every `.js` file of its directory but this packaging module, at the same
 * relative paths), `package.json` (`"type": "module"`, so any Node version reads them as ESM) and
 * `node_modules/ws/**` (its only dependency, copied from the installed `ws`). Write them anywhere
 * (a sandbox, a Docker build context) and start it with {@link fakeOpenHandsServerCommand}.
 */
export async function fakeOpenHandsServerFiles(): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>()
  const entry = compiledServerPath()
  files.set(FAKE_OPENHANDS_SERVER_ENTRY, new Uint8Array(readFileSync(entry)))
  walk(dirname(entry), dirname(entry), files, '', isProgramModule)
  const manifest = {
    name: 'cooperbench-fake-openhands-agent-server',
    private: true,
    type: 'module',
    main: FAKE_OPENHANDS_SERVER_ENTRY,
    description: 'Stand-in of the OpenHands agent server for tests (@cooperbench/standins)',
  }
  files.set('package.json', new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`))
  const require = createRequire(import.meta.url)
  const wsDir = dirname(require.resolve('ws/package.json'))
  walk(wsDir, wsDir, files, 'node_modules/ws')
  return files
}

/**
 * Writes the stand-in server into a fresh directory a local sandbox can see (outside /tmp, which
 * the local backend replaces with the sandbox's own; by default under ~/.cache), for tests that
 * start it with {@link fakeOpenHandsServerCommand}. `remove()` deletes it.
 */
export async function installFakeOpenHandsServer(
  parent: string = join(homedir(), '.cache', 'cooperbench-tests'),
): Promise<{ dir: string; remove(): Promise<void> }> {
  await mkdir(parent, { recursive: true })
  const dir = await mkdtemp(join(parent, 'fake-openhands-'))
  for (const [path, bytes] of await fakeOpenHandsServerFiles()) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), bytes)
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

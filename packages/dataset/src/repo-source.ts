import { join } from 'node:path'
import type { RepoSource } from '@cooperbench/spec'
import { isFile, readOptionalText } from '@cooperbench/core/dataset'

/** What one authoring script says about the upstream repository. */
export interface ScriptSource {
  url: string | null
  baseCommit: string | null
}

/** What a task folder says about its repository, per file (null: no such file), so `validateDataset` can report a Dockerfile and setup.sh that disagree. */
export interface RepoSourceEvidence {
  dockerfile: ScriptSource | null
  setupScript: ScriptSource | null
  bundlePath: string | null
}

/** The file name of the git bundle a task may ship (our extension, used by the demo dataset). */
export const BUNDLE_FILE = 'repo.bundle'

const FULL_SHA = /^[0-9a-f]{40}$/i

/** A task's repository (docs/reference-compatibility.md#dataset): URL and base commit from the Dockerfile, else setup.sh; `repo.bundle` ships it offline. */
export async function readRepoSource(taskDir: string): Promise<RepoSource> {
  return resolveRepoSource(await inspectRepoSource(taskDir))
}

/** Reads the Dockerfile, setup.sh and bundle of one task folder without deciding between them. */
export async function inspectRepoSource(taskDir: string): Promise<RepoSourceEvidence> {
  const bundlePath = join(taskDir, BUNDLE_FILE)
  const [dockerfile, setupScript, hasBundle] = await Promise.all([
    readOptionalText(join(taskDir, 'Dockerfile')),
    readOptionalText(join(taskDir, 'setup.sh')),
    isFile(bundlePath),
  ])
  return {
    dockerfile: dockerfile === null ? null : parseDockerfile(dockerfile),
    setupScript: setupScript === null ? null : parseSetupScript(setupScript),
    bundlePath: hasBundle ? bundlePath : null,
  }
}

/** Dockerfile first, setup.sh second, per field. */
export function resolveRepoSource(evidence: RepoSourceEvidence): RepoSource {
  return {
    url: evidence.dockerfile?.url ?? evidence.setupScript?.url ?? null,
    bundlePath: evidence.bundlePath,
    baseCommit: evidence.dockerfile?.baseCommit ?? evidence.setupScript?.baseCommit ?? null,
  }
}

/** Parses `RUN git clone <URL> repo && cd repo && git checkout <40-hex>` (docs/reference-compatibility.md#dataset), `\` continuations joined. */
export function parseDockerfile(text: string): ScriptSource {
  const code = shellCode(text)
  return { url: findCloneUrl(code, () => undefined), baseCommit: findCheckout(code) }
}

/** Parses setup.sh: `BASE_COMMIT="<sha>"` and `git clone <URL>`, the URL maybe built of variables (`https://github.com/${REPO_OWNER}/${REPO_NAME}`). */
export function parseSetupScript(text: string): ScriptSource {
  const code = shellCode(text)
  const variables = shellAssignments(code)
  const declared = variables.get('BASE_COMMIT')
  const baseCommit = declared !== undefined && FULL_SHA.test(declared) ? declared.toLowerCase() : findCheckout(code)
  return { url: findCloneUrl(code, (name) => variables.get(name)), baseCommit }
}

/** `\` continuations joined; whole-line and trailing ` # …` comments dropped (quotes are not tracked; URLs have no ` #`). */
function shellCode(text: string): string {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => (/^\s*#/.test(line) ? '' : line.replace(/\s+#.*$/, '')))
    .join('\n')
}

/** First assignment of each `NAME=value` (optionally `export`ed) at the start of a line. */
function shellAssignments(code: string): Map<string, string> {
  const variables = new Map<string, string>()
  const assignment = /^[ \t]*(?:export[ \t]+|readonly[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|'([^']*)'|([^\s;&|]*))/gm
  for (const match of code.matchAll(assignment)) {
    const name = match[1]
    if (name === undefined || variables.has(name)) continue
    variables.set(name, match[2] ?? match[3] ?? match[4] ?? '')
  }
  return variables
}

/** The first `git clone` argument that looks like a URL once variables expand; option values (`--depth 1`, `-b main`) never do. */
function findCloneUrl(code: string, lookup: (name: string) => string | undefined): string | null {
  for (const match of code.matchAll(/\bgit[ \t]+clone\b([^\n;&|]*)/g)) {
    for (const raw of (match[1] ?? '').trim().split(/\s+/)) {
      if (raw === '' || raw.startsWith('-')) continue
      const expanded = unquote(raw).replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => lookup(braced ?? bare ?? '') ?? whole)
      if (expanded.includes('$')) continue
      if (/^(?:[a-z][a-z0-9+.-]*:\/\/|git@[^:]+:)/i.test(expanded)) return expanded
    }
  }
  return null
}

/** A 40-hex argument of `git checkout` or `git reset --hard`. */
function findCheckout(code: string): string | null {
  const match = /\bgit[ \t]+(?:-C[ \t]+\S+[ \t]+)?(?:checkout|reset[ \t]+--hard)(?:[ \t]+-\S+)*[ \t]+["']?([0-9a-fA-F]{40})\b/.exec(code)
  return match?.[1]?.toLowerCase() ?? null
}

function unquote(token: string): string {
  return token.replace(/^["']|["']$/g, '')
}

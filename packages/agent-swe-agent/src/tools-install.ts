import { type AgentRunContext, CooperbenchError, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { writeSandboxFiles } from '@cooperbench/spec-utils'
import { shellQuote } from '@cooperbench/spec-utils/host'
import { shlexQuote } from './function-calling.js'
import { REACH_PACKAGE_INDEX, withoutPipRetries } from './package-index.js'
import { ShellSession } from './session.js'
import type { SweAgentConfig } from './swe-config.js'

/** Where the bundles' `/root` goes in a sandbox whose `/root` is not writable (the local backend's is this machine's, read-only). */
const STAND_IN_ROOT = '/tmp/swe-agent-root'

/**
 * Installs the bundles as SWE-agent's `ToolHandler.install` and upstream's adapter do (SWE-agent 1.1, CooperBench 0.0.14):
 * locale, `ROOT`, git identity and initial commit; each bundle in `<root>/tools/<name>`, its `bin` on `PATH`, its
 * `install.sh` sourced; the tools checked; the registry and state files, `env_variables`, `PROBLEM_STATEMENT`.
 * Where `/root` is read-only the scripts get a writable stand-in;
 * where no package index answers (`offline`), their pip runs without the retries that cannot succeed.
 * Returns the tools' `root` and session, the state, and `offline`. TASK_UNSUPPORTED when the image lacks the scripts'
 * interpreter, SANDBOX_FAILED for a failed step.
 */
export async function installTools(
  ctx: Pick<AgentRunContext, 'sandbox' | 'signal'>,
  config: SweAgentConfig,
  problemStatement: string,
): Promise<{ home: { root: string; session: ShellSession }; state: Record<string, unknown>; offline: boolean }> {
  const { sandbox, signal } = ctx
  const interpreters = [...new Set(config.bundles.flatMap(toolInterpreters))]
  const hasInstallScript = config.bundles.some((bundle) => bundle.files.some((file) => file.path === 'install.sh'))
  const checks = [
    'for i in "$@"; do command -v "$i" >/dev/null || echo "missing $i"; done; [ -w /root ] && echo root-writable',
    ...(hasInstallScript ? [`${REACH_PACKAGE_INDEX} >/dev/null 2>&1 || echo no-package-index`] : []),
  ]
  const indexUrl = config.envVariables['PIP_INDEX_URL']
  const probe = await sandbox.exec(['bash', '-c', checks.join('\n'), 'probe', ...interpreters], {
    signal,
    ...(indexUrl === undefined ? {} : { env: { PIP_INDEX_URL: indexUrl } }),
  })
  const missing = [...probe.stdout.matchAll(/^missing (.+)$/gm)].map((m) => m[1]!)
  if (missing.length > 0) {
    throw new CooperbenchError(
      'TASK_UNSUPPORTED',
      `the task image has no ${missing.join(', ')}, which SWE-agent's tools (the configuration's bundles) run with`,
      {
        hint: "Use task images with Python 3 (upstream's have it), or the local backend, whose sandboxes run this machine's programs",
      },
    )
  }
  const root = probe.stdout.includes('root-writable') ? '/root' : STAND_IN_ROOT
  const offline = /^no-package-index$/m.test(probe.stdout)
  const moved = (data: Buffer) => (root === '/root' || data.includes(0) ? data : Buffer.from(data.toString('utf8').replaceAll('/root/', `${root}/`)))
  const files = new Map<string, Uint8Array>()
  for (const bundle of config.bundles) for (const file of bundle.files) files.set(`${root}/tools/${bundle.name}/${file.path}`, moved(file.data))
  files.set(`${root}/.swe-agent-session/registry`, Buffer.from(JSON.stringify(config.registryVariables)))
  await writeSandboxFiles(sandbox, files)
  const session = new ShellSession(sandbox, `${root}/.swe-agent-session`, `${root}/state.json`, config.stateCommands)
  const setup = await session.run(setupScript(config, root, problemStatement, offline), config.timeouts.install, signal)
  if (setup.exitCode !== 0) {
    throw new CooperbenchError('SANDBOX_FAILED', `installing SWE-agent's tools failed (exit ${setup.exitCode}): ${setup.output.trim().slice(-800)}`, {
      hint: "Check the configuration's bundles (their install.sh and bin/) and the task image",
    })
  }
  return { home: { root, session }, state: setup.state ?? {}, offline }
}

/** The environment SWEEnv's session starts with, and upstream's adapter's `ROOT`. */
export const SESSION_START_ENV = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PIP_PROGRESS_BAR: 'off', PAGER: 'cat', ROOT: SANDBOX_REPO_DIR }

/** `export NAME=value` lines, each value quoted as Python's `shlex.quote` does. */
export function exports(vars: Record<string, string>): string[] {
  return Object.entries(vars).map(([name, value]) => `export ${name}=${shlexQuote(value)}`)
}

/** The interpreters the scripts of a bundle's tools and state command start with (`#!/usr/bin/env python3`: `python3`). */
function toolInterpreters(bundle: SweAgentConfig['bundles'][number]): string[] {
  const scripts = new Set([...bundle.commands.map((c) => `bin/${c.name}`), ...(bundle.stateCommand ? [`bin/${bundle.stateCommand}`] : [])])
  return bundle.files.flatMap(({ path, data }) => {
    const shebang = scripts.has(path) ? /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(data.subarray(0, 200).toString('utf8')) : null
    if (!shebang) return []
    return [shebang[1]!.endsWith('/env') && shebang[2] ? shebang[2] : shebang[1]!]
  })
}

/**
 * The commands of the adapter's environment start, SWE-agent's tool installation and reset, in one session command;
 * `offline`: no package index answers, so the installation runs without pip's retries.
 */
function setupScript(config: SweAgentConfig, root: string, problemStatement: string, offline: boolean): string {
  const fail = (what: string) => `{ echo ${shellQuote(`failed: ${what}`)}; exit 1; }`
  const propagated = Object.fromEntries(config.propagateEnvVariables.map((name) => [name, process.env[name] ?? 'None']))
  const installs = config.bundles.map((bundle) => {
    const dir = `${root}/tools/${bundle.name}`
    const install = bundle.files.some((f) => f.path === 'install.sh') ? ` && cd ${dir} && source install.sh` : ''
    return `{ export PATH=${dir}/bin:$PATH && chmod +x ${dir}/bin/*${install} && chmod +x ${dir}/bin/*; } || ${fail(`installing ${bundle.name}`)}`
  })
  return [
    // SWEEnv's session start and reset, then upstream's post-startup commands (adapter.py).
    ...exports(SESSION_START_ENV),
    "git config --global user.email 'agent@cooperbench.dev'",
    "git config --global user.name 'CooperBench Agent'",
    `(cd ${SANDBOX_REPO_DIR} && git init -q && git add -A && git commit -qm 'Initial commit') >/dev/null 2>&1 || true`,
    // ToolHandler._install_commands
    ...exports(config.envVariables),
    ...(offline ? withoutPipRetries(installs) : installs),
    `cd ${SANDBOX_REPO_DIR}`,
    ...config.commands.filter((c) => c.name !== 'bash').map((c) => `command -v ${c.name} >/dev/null || ${fail(`tool ${c.name} is not available`)}`),
    // ToolHandler.reset, then the agent's setup
    ...exports({ ...config.envVariables, ...propagated }),
    `cp ${root}/.swe-agent-session/registry ${root}/.swe-agent-env && echo '{}' > ${root}/state.json`,
    ...config.resetCommands.map((c) => `{ ${c}\n} || ${fail(`reset command ${c}`)}`),
    ...exports({ PROBLEM_STATEMENT: problemStatement }),
  ].join('\n')
}

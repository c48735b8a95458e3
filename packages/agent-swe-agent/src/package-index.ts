import { shellQuote } from '@cooperbench/spec-utils/host'

/** How long the probe waits for the package index to accept a connection. */
const REACH_SECONDS = 5

/**
 * A shell command that succeeds when pip's index (`PIP_INDEX_URL`, else pypi.org) accepts a TCP connection within
 * {@link REACH_SECONDS}. Without it pip retries each package five times with back-off (9 s each here), for nothing.
 * Python, as the bundles' tools need it anyway; a thread bounds the name lookup too, which has no timeout of its own.
 */
export const REACH_PACKAGE_INDEX = `python3 -c ${shellQuote(
  [
    'import os, socket, sys, threading, urllib.parse',
    'url = urllib.parse.urlsplit(os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple")',
    'reached = []',
    'def connect():',
    '    try:',
    `        socket.create_connection((url.hostname, url.port or (80 if url.scheme == "http" else 443)), ${REACH_SECONDS}).close()`,
    '        reached.append(url.hostname)',
    '    except (OSError, TypeError):',
    '        pass',
    'thread = threading.Thread(target=connect, daemon=True)',
    'thread.start()',
    `thread.join(${REACH_SECONDS})`,
    'sys.exit(0 if reached else 1)',
  ].join('\n'),
)}`

/**
 * `lines` (the bundles' installation) with pip's retries off (`PIP_RETRIES=0`), then `PIP_RETRIES` as it was: pip
 * still installs what it can (a satisfied requirement, another index it reaches), but fails at once where it cannot,
 * and the agent's session keeps the environment upstream's would have.
 */
export function withoutPipRetries(lines: string[]): string[] {
  return [
    '[ -n "${PIP_RETRIES+x}" ] && swe_agent_pip_retries=$PIP_RETRIES',
    'export PIP_RETRIES=0',
    ...lines,
    'if [ -n "${swe_agent_pip_retries+x}" ]; then export PIP_RETRIES=$swe_agent_pip_retries; unset swe_agent_pip_retries; else unset PIP_RETRIES; fi',
  ]
}

/** The line that says why the installation did not wait for pip (the run's log and each agent's trajectory). */
export const NO_PACKAGE_INDEX =
  "the sandbox reaches no package index (pypi.org, or PIP_INDEX_URL): the bundles' install.sh ran with PIP_RETRIES=0, so " +
  "what they pip install fails at once instead of after pip's retries (edit_anthropic's tree-sitter: str_replace_editor " +
  'then shows a long Python file cut short rather than outlined, as SWE-agent does without it)'

import { spawnSync } from 'node:child_process'

/**
 * Jinja2 itself, the engine upstream renders its templates with: Debian's `python3-jinja2` (with
 * `python3-yaml`) under the system's python, which .ci/run installs, so CI never skips what it
 * checks. Elsewhere a missing module skips those tests with the reason.
 */
export const SYSTEM_PYTHON = '/usr/bin/python3'

function problem(): string | null {
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import jinja2, yaml'], { encoding: 'utf8' })
  if (probe.error) return `${SYSTEM_PYTHON} is not installed`
  if (probe.status !== 0) return `${SYSTEM_PYTHON} has no jinja2 or yaml (apt-get install python3-jinja2 python3-yaml)`
  return null
}

/** Why Jinja2 cannot be run here, or null. */
export const jinjaProblem = problem()
if (jinjaProblem !== null && process.env.CI) throw new Error(`${jinjaProblem}, and CI is set: the renderings must be checked against Jinja2`)

/** Runs a Python program (`-c` code or a script path, with its arguments) with `input` as JSON on stdin; its stdout parsed as JSON. */
export function runPython<T>(args: string[], input: unknown): T {
  const run = spawnSync(SYSTEM_PYTHON, args, { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (run.status !== 0) throw new Error(`${SYSTEM_PYTHON} ${args[0]} failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as T
}

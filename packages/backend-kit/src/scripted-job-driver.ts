/**
 * A scripted job with no harness attached (a batch platform's task): staged as files, run by a bash driver in the task's container
 * (steps as `Sandbox.exec` runs them), its result folder read back.
 *
 * Staged folder (one per job):
 *   files/<absolute path without the leading />   bytes written before the first step
 *   steps/<n>.sh, steps/<n>.limit (seconds), steps/<n>.when (optional marker line body)
 *   keep                                          lines `<bytes> <absolute path>`
 * Result folder:
 *   <n>.sh (the script as run), <n>.out (output, capped), <n>.status (`exit ms total-bytes`)
 *   keep/<i> (first bytes of the i-th kept path), done (written last)
 */
import type { ScriptedJob, ScriptedJobResult, ScriptedStepResult } from '@cooperbench/spec'
import { shellQuote } from '@cooperbench/spec-utils/host'
import { CONTAINER_STARTUP_SCRIPT, LOGIN_PATH_HOOK_FILE } from './long-command.js'
import { EXEC_RECORD_DIR, reachedTimeLimit } from './process-group-exec.js'

/**
 * `bash DRIVER <staged folder> <result folder> <output cap bytes>`, as root in the task image. Exits 0 when every step due ran
 * (whatever their exit codes), non-zero when the container itself is unusable (the platform may retry that).
 */
export const SCRIPTED_JOB_DRIVER = `set -u
D=$1; R=$2; CAP=$3
# Outside /tmp, which tests and agents look at.
W=${EXEC_RECORD_DIR}/batch
rm -rf "$R" && mkdir -p "$R/keep" "$W" || { echo "cooperbench: cannot write results to $R" >&2; exit 70; }
if [ -d "$D/files" ]; then cp -r "$D/files/." / || { echo "cooperbench: cannot write the job's files" >&2; exit 71; }; fi
sh -c ${shellQuote(CONTAINER_STARTUP_SCRIPT)} cooperbench-startup ${LOGIN_PATH_HOOK_FILE} > $W/startup.out 2>&1
code=$?
if [ "$code" != 0 ]; then cat $W/startup.out >&2; echo "cooperbench: sandbox startup failed (exit $code)" >&2; exit 72; fi
IMAGE_PATH=$(head -n 1 $W/startup.out)
n=0
while [ -f "$D/steps/$n.sh" ]; do
  if [ -f "$D/steps/$n.when" ]; then
    need=$(cat "$D/steps/$n.when")
    if ! cat "$R"/*.out 2>/dev/null | grep -qxF "::cb:: $need"; then n=$((n + 1)); continue; fi
  fi
  cp "$D/steps/$n.sh" $W/step.sh
  skip=0
  for key in $(grep -o '@@cb:[a-z][a-z0-9_]*@@' $W/step.sh | sort -u | sed 's/^@@cb:\\(.*\\)@@$/\\1/'); do
    value=$(cat "$R"/*.out 2>/dev/null | grep "^::cb:: $key=" | tail -n 1 | cut -d= -f2-)
    case "$value" in ''|*[!A-Za-z0-9._/-]*) skip=1; break ;; esac
    sed -i "s|@@cb:$key@@|$value|g" $W/step.sh
  done
  if [ "$skip" = 1 ]; then n=$((n + 1)); continue; fi
  limit=$(cat "$D/steps/$n.limit")
  start=$(date +%s%N)
  (cd /workspace/repo && COOPERBENCH_PATH=$IMAGE_PATH exec timeout -k 5 "$limit" bash -l $W/step.sh) < /dev/null > $W/step.out 2>&1
  code=$?
  end=$(date +%s%N)
  total=$(wc -c < $W/step.out | tr -d ' ')
  head -c "$CAP" $W/step.out > "$R/$n.out"
  cp $W/step.sh "$R/$n.sh"
  echo "$code $(( (end - start) / 1000000 )) $total" > "$R/$n.status"
  n=$((n + 1))
done
i=0
if [ -f "$D/keep" ]; then
  while read -r bytes path; do
    if [ -f "$path" ]; then head -c "$bytes" "$path" > "$R/keep/$i"; fi
    i=$((i + 1))
  done < "$D/keep"
fi
date -u +%FT%TZ > "$R/done"
`

/** The staged folder of one job: relative path → bytes. */
export function stageScriptedJob(job: Pick<ScriptedJob, 'files' | 'steps' | 'keep'>): Map<string, Uint8Array> {
  const staged = new Map<string, Uint8Array>()
  const text = (value: string) => new Uint8Array(Buffer.from(value, 'utf8'))
  for (const [path, bytes] of job.files) {
    if (!path.startsWith('/') || path.split('/').includes('..')) throw new Error(`scripted job file ${path} is not an absolute path`)
    staged.set(`files${path}`, bytes)
  }
  job.steps.forEach((step, n) => {
    staged.set(`steps/${n}.sh`, text(step.script))
    staged.set(`steps/${n}.limit`, text(`${Math.max(1, Math.ceil(step.timeoutMs / 1000))}\n`))
    if (step.when !== undefined) staged.set(`steps/${n}.when`, text(`${step.when}\n`))
  })
  if (job.keep.length > 0) staged.set('keep', text(job.keep.map((k) => `${k.bytes} ${k.path}\n`).join('')))
  return staged
}

/** Reads a result folder (relative path → bytes) back; null when the driver did not finish (no `done`). */
export function readScriptedJobResult(job: Pick<ScriptedJob, 'steps' | 'keep'>, files: ReadonlyMap<string, Uint8Array>): ScriptedJobResult | null {
  if (!files.has('done')) return null
  const steps: ScriptedStepResult[] = []
  job.steps.forEach((step, n) => {
    const status = files.get(`${n}.status`)
    if (status === undefined) return
    const [exit, ms, total] = Buffer.from(status).toString('utf8').trim().split(' ').map(Number) as [number, number, number]
    const output = files.get(`${n}.out`) ?? new Uint8Array()
    const limitMs = Math.max(1, Math.ceil(step.timeoutMs / 1000)) * 1000
    steps.push({
      script: Buffer.from(files.get(`${n}.sh`) ?? new Uint8Array()).toString('utf8'),
      output,
      omittedBytes: Math.max(0, total - output.byteLength),
      exitCode: exit,
      timedOut: reachedTimeLimit(exit, ms, limitMs),
      durationMs: ms,
    })
  })
  const kept = new Map<string, Uint8Array>()
  job.keep.forEach((k, i) => {
    const bytes = files.get(`keep/${i}`)
    if (bytes !== undefined) kept.set(k.path, bytes)
  })
  return { steps, kept }
}

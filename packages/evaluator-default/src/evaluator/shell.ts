/** Named bash pieces of the evaluator's and gold conflict check's scripts: run in the repository, stderr into stdout, reporting `::cb:: key=value` markers. */
import { SANDBOX_PATCHES_DIR, SANDBOX_REPO_DIR, SANDBOX_RUNNER_PATH } from '@cooperbench/spec'
import { shellQuote, truncationMarker } from '@cooperbench/spec-utils/host'
import { MARKER_PREFIX } from './markers.js'

export const EVAL_GIT_NAME = 'CooperBench Eval'
export const EVAL_GIT_EMAIL = 'eval@cooperbench.local'

/** Joins pieces (each one or more lines) into a script ending in a newline. */
export function joinScript(...pieces: string[]): string {
  return `${pieces.map((p) => p.replace(/\n+$/, '')).join('\n')}\n`
}

function patchFilePath(name: string): string {
  return `${SANDBOX_PATCHES_DIR}/${name}`
}

/** Git with the evaluator's identity, no hooks (a task's pre-commit type check would leave branches empty), no editor, any owner's repository trusted. */
const gitFunction = [
  'cb_git() {',
  "  git -c safe.directory='*' \\",
  `    -c user.name=${shellQuote(EVAL_GIT_NAME)} -c user.email=${shellQuote(EVAL_GIT_EMAIL)} \\`,
  '    -c core.hooksPath=/dev/null -c commit.gpgsign=false -c rerere.enabled=false \\',
  '    -c advice.detachedHead=false "$@"',
  '}',
].join('\n')

/** Start of every script: combined output, the repository as working directory, helpers. */
export function scriptPrelude(): string {
  return joinScript(
    'exec 2>&1',
    'export GIT_EDITOR=true GIT_MERGE_AUTOEDIT=no GIT_TERMINAL_PROMPT=0',
    `cb_mark() { printf '${MARKER_PREFIX}%s=%s\\n' "$1" "$2"; }`,
    // A failing step names itself and ends the script before its end marker.
    'cb_fail() { cb_mark failed "$1"; exit 1; }',
    gitFunction,
    `cd ${SANDBOX_REPO_DIR} || cb_fail 'no repository at ${SANDBOX_REPO_DIR}'`,
  )
}

/**
 * Prints `file=<name> <size> <git blob sha1>` (or `file=<name> missing`) per file in `/patches`, with one `wc` and one
 * `git hash-object --stdin-paths` for all, run in `/patches` (outside the repository) so the digest is over the raw bytes.
 */
export function reportPatchFilesStep(names: readonly string[]): string {
  if (names.length === 0) return ''
  return joinScript(
    'cb_present=()',
    `for cb_f in ${names.map(shellQuote).join(' ')}; do`,
    `  if [ -f ${SANDBOX_PATCHES_DIR}/"$cb_f" ]; then cb_present+=("$cb_f"); else cb_mark file "$cb_f missing"; fi`,
    'done',
    'if [ "${#cb_present[@]}" -gt 0 ]; then',
    // `wc -c a b` prints one `<size> <name>` line per file (and a total when there are several).
    `  mapfile -t cb_sizes < <(cd ${SANDBOX_PATCHES_DIR} && wc -c -- "\${cb_present[@]}")`,
    `  mapfile -t cb_shas < <(cd ${SANDBOX_PATCHES_DIR} && printf '%s\n' "\${cb_present[@]}" | git hash-object --stdin-paths)`,
    '  for cb_i in "${!cb_present[@]}"; do',
    '    cb_size=${cb_sizes[$cb_i]}; cb_size=${cb_size#"${cb_size%%[![:space:]]*}"}',
    '    cb_mark file "${cb_present[$cb_i]} ${cb_size%% *} ${cb_shas[$cb_i]}"',
    '  done',
    'fi',
  )
}

/** Sets `BASE`: the given commit, or the delivered `HEAD`; prints `BASE_SHA=<sha>` like the reference and the `base` marker; no commit → `failed=base`. */
export function resolveBaseStep(knownBase?: string): string {
  if (knownBase !== undefined) return joinScript(`BASE=${shellQuote(knownBase)}`, 'cb_mark base "$BASE"')
  return joinScript(
    "BASE=$(cb_git rev-parse --verify -q 'HEAD^{commit}') || BASE=''",
    '[ -n "$BASE" ] || cb_fail base',
    'echo "BASE_SHA=$BASE"',
    'cb_mark base "$BASE"',
  )
}

/**
 * Prints `tests_broken=<name>` per hidden tests patch not applying to `BASE` alone (in a private index, as `dataset validate`
 * checks): its verdict would be the dataset's defect, not the agents' work.
 */
export function checkTestsPatchesStep(names: readonly string[]): string {
  if (names.length === 0) return ''
  return joinScript(
    'cb_ti_dir=$(mktemp -d) || cb_fail tests-check',
    'if GIT_INDEX_FILE="$cb_ti_dir/index" cb_git read-tree "$BASE" >/dev/null 2>&1; then',
    `  for cb_t in ${names.map(shellQuote).join(' ')}; do`,
    `    GIT_INDEX_FILE="$cb_ti_dir/index" cb_git apply --cached --check ${SANDBOX_PATCHES_DIR}/"$cb_t" >/dev/null 2>&1 || cb_mark tests_broken "$cb_t"`,
    '  done',
    'fi',
    'rm -rf "$cb_ti_dir"',
  )
}

/** Defines `cb_restore` (work tree back to `HEAD`, ignored files too) and `cb_apply <patch>`: `firstAttempt` flags, then `--3way`, restoring on failure. */
export function applyFunctions(firstAttempt: readonly string[] = []): string {
  const first = ['apply', ...firstAttempt].join(' ')
  return joinScript(
    'cb_restore() { cb_git reset -q --hard && cb_git clean -fdxq; }',
    'cb_apply() {',
    `  cb_git ${first} "$1" && return 0`,
    '  cb_restore',
    '  cb_git apply --3way "$1" && return 0',
    '  cb_restore',
    '  return 1',
    '}',
  )
}

/** Sets `cb_gd` (the git directory) and removes the locks a killed git may have left (`index.lock`, branch locks). */
export function clearStaleLocksStep(): string {
  return joinScript(
    'if [ -d .git ]; then cb_gd=.git; else cb_gd=$(cb_git rev-parse --git-dir) || cb_fail git-dir; fi',
    'cb_locks=()',
    'if [ -e "$cb_gd/index.lock" ] || [ -L "$cb_gd/index.lock" ]; then cb_locks+=("$cb_gd/index.lock"); fi',
    'shopt -s globstar nullglob',
    'for cb_l in "$cb_gd"/refs/heads/**/*.lock; do if [ -f "$cb_l" ] && [ ! -L "$cb_l" ]; then cb_locks+=("$cb_l"); fi; done',
    'shopt -u globstar nullglob',
    'if [ "${#cb_locks[@]}" -gt 0 ]; then rm -f -- "${cb_locks[@]}"; fi',
  )
}

/**
 * Refreshes the index's stat data (needs the locks gone): a new container's index holds the image build's, so a forced checkout
 * would rewrite every file (each an overlayfs copy-up) and `add -A` rehash them all.
 */
export function refreshIndexStep(): string {
  return 'cb_git update-index -q --refresh >/dev/null 2>&1'
}

/** Leaves the repository detached at `BASE` with a clean tree (a forced checkout resets as `reset --hard` would) and no stale locks. */
export function checkoutBaseStep(): string {
  return joinScript(
    clearStaleLocksStep(),
    refreshIndexStep(),
    'cb_git checkout -q -f --detach "$BASE" || cb_fail checkout-base',
    'cb_git clean -fdxq || cb_fail clean',
  )
}

/**
 * Defines `cb_branch <branch> <patch> <repaired patch or ''> <commit message>`: branch from BASE, apply the patch (else the repaired
 * variant), commit (empty if it failed). Prints `apply.<branch>=applied|skipped|failed`, `variant.<branch>=as-is|repaired|none`.
 */
export function branchFunction(): string {
  return joinScript(
    'cb_branch() {',
    '  cb_git checkout -q -f -B "$1" "$BASE" || cb_fail "branch $1"',
    // The forced checkout resets index and tracked files; only untracked and ignored ones remain.
    '  cb_git clean -fdxq || cb_fail "clean $1"',
    '  local status=skipped variant=none',
    '  if [ -s "$2" ]; then',
    '    if cb_apply "$2"; then status=applied; variant=as-is',
    '    elif [ -n "$3" ] && [ -s "$3" ] && cb_apply "$3"; then status=applied; variant=repaired',
    '    else status=failed',
    '    fi',
    '  fi',
    '  cb_git add -A || cb_fail "stage $1"',
    '  cb_git commit -q --no-verify --allow-empty -m "$4" || cb_fail "commit $1"',
    // For the steps after: what this branch got (the file that applied), and whether any patch failed.
    '  cb_last_status=$status',
    '  case $variant in as-is) cb_last_file=$2 ;; repaired) cb_last_file=$3 ;; *) cb_last_file= ;; esac',
    '  if [ "$status" = failed ]; then cb_any_failed=1; fi',
    '  cb_mark "apply.$1" "$status"',
    '  cb_mark "variant.$1" "$variant"',
    '}',
  )
}

export interface BranchSpec {
  branch: string
  /** File name in `/patches`. */
  patch: string
  /** File name in `/patches` of the quote-repaired variant, when it differs. */
  repaired?: string | undefined
  message: string
}

export function branchStep(spec: BranchSpec): string {
  const repaired = spec.repaired === undefined ? "''" : shellQuote(patchFilePath(spec.repaired))
  return `cb_branch ${shellQuote(spec.branch)} ${shellQuote(patchFilePath(spec.patch))} ${repaired} ${shellQuote(spec.message)}`
}

/**
 * On the last branch (where `cb_branch` left it), merges the earlier ones in order (a pair: the reference's `git merge agent1
 * --no-commit --no-ff` on `agent2`), each clean one committed (`Temp merge`), the first conflict aborted.
 * Prints `naive=clean|conflicts`, sets `NAIVE`.
 */
export function naiveMergeStep(branches: readonly string[]): string {
  const sources = branches.slice(0, -1)
  if (sources.length === 1) {
    return joinScript(
      `if cb_git merge -q --no-commit --no-ff ${sources[0]}; then`,
      '  NAIVE=clean',
      "  cb_git commit -q --no-verify --allow-empty -m 'Temp merge' || cb_fail commit-merge",
      'else',
      '  NAIVE=conflicts',
      // `reset --hard` ends the merge as `merge --abort` would (MERGE_HEAD and the rest go).
      '  cb_restore',
      'fi',
      'cb_mark naive "$NAIVE"',
    )
  }
  return joinScript(
    'cb_start=$(cb_git rev-parse HEAD) || cb_fail rev-parse',
    'NAIVE=clean',
    mergeChain(sources, 'NAIVE', 'Temp merge', 'commit-merge', ['  cb_restore']),
    'cb_mark naive "$NAIVE"',
  )
}

/** Merges `sources` one by one, committing each; the first conflict sets `<flag>=conflicts`, aborts and stops. */
export function mergeChain(sources: readonly string[], flag: string, message: string, failStep: string, onConflict: string[]): string {
  return joinScript(
    `for cb_b in ${sources.map(shellQuote).join(' ')}; do`,
    '  if cb_git merge -q --no-commit --no-ff "$cb_b"; then',
    `    cb_git commit -q --no-verify --allow-empty -m ${shellQuote(message)} || cb_fail ${failStep}`,
    '  else',
    `    ${flag}=conflicts`,
    '    cb_git merge --abort >/dev/null 2>&1',
    ...onConflict.map((line) => `  ${line}`),
    '    break',
    '  fi',
    'done',
  )
}

/**
 * After a conflicting naive merge only: merge again with `* merge=union` (both sides of every hunk) appended to `.gitattributes`
 * (restored after), or to `$GIT_DIR/info/attributes` when a branch changes `.gitattributes` (git refuses to merge over a dirty one).
 * Larger pairs redo the whole chain. Prints `union=clean|conflicts`, sets `STRATEGY`.
 */
export function unionMergeStep(branches: readonly string[]): string {
  const sources = branches.slice(0, -1)
  const pair = sources.length === 1
  // Each branch is one commit on BASE here (merges reset away): one `git log` finds one touching `.gitattributes`, mode included.
  const changesAttributes = `[ -n "$(cb_git log --format=%H -1 "^$BASE" ${branches.join(' ')} -- .gitattributes)" ]`
  const merge = pair
    ? ['  if cb_git merge -q --no-commit --no-ff agent1; then UNION=clean; else UNION=conflicts; cb_git merge --abort >/dev/null 2>&1; fi']
    : ['  UNION=clean', mergeChain(sources, 'UNION', 'Temp union merge', 'commit-union', []).replace(/\n$/, '').replace(/^/gm, '  ')]
  return joinScript(
    'STRATEGY=naive',
    'if [ "$NAIVE" = conflicts ]; then',
    ...(pair ? [] : ['  cb_git reset -q --hard "$cb_start" || cb_fail reset-union', '  cb_restore']),
    '  cb_attrs=.gitattributes',
    `  if ${changesAttributes}; then`,
    '    cb_attrs=$(cb_git rev-parse --git-path info/attributes)',
    '    mkdir -p "$(dirname "$cb_attrs")"',
    '  fi',
    // `cb_gd` is the git directory (clearStaleLocksStep); the backup is no name git gives a meaning to.
    '  cb_backup="$cb_gd/cb-attributes.bak"',
    '  if [ -e "$cb_attrs" ]; then cp -p "$cb_attrs" "$cb_backup"; cb_had_attrs=1; else cb_had_attrs=0; fi',
    '  if [ -s "$cb_attrs" ] && [ -n "$(tail -c 1 "$cb_attrs")" ]; then echo >> "$cb_attrs"; fi',
    '  echo \'* merge=union\' >> "$cb_attrs"',
    ...merge,
    '  if [ "$cb_had_attrs" = 1 ]; then mv -f "$cb_backup" "$cb_attrs"; else rm -f "$cb_attrs"; fi',
    '  cb_mark union "$UNION"',
    '  if [ "$UNION" = clean ]; then',
    ...(pair ? ["    cb_git commit -q --no-verify --allow-empty -m 'Temp union merge' || cb_fail commit-union"] : []),
    '    STRATEGY=union',
    '  else',
    '    cb_restore',
    '    cb_mark setup done',
    '    exit 0',
    '  fi',
    'fi',
    'cb_mark strategy "$STRATEGY"',
  )
}

/**
 * cooperbench-0.0.16: when every agent's patch is non-empty and byte-identical to agent1's, it is applied once on BASE (as-is,
 * `--recount`, then the repaired variant alike) and its diff is merged.patch; when none applies, the patch itself is. Prints
 * `identical=yes|no` (and `identical_apply=applied|raw`), sets `IDENTICAL`, and `cb_merged_ready` once merged.patch is ready.
 */
export function identicalPatchesStep(patches: readonly string[], repaired: string | undefined): string {
  const first = shellQuote(patchFilePath(patches[0]!))
  const others = patches.slice(1).map((name) => shellQuote(patchFilePath(name)))
  const tries = [first, ...(repaired === undefined ? [] : [shellQuote(patchFilePath(repaired))])]
  const applyAny = tries.flatMap((p) => [`cb_git apply ${p}`, `cb_git apply --recount ${p}`]).join(' || ')
  return joinScript(
    'IDENTICAL=no',
    // `--no-filters`: the raw bytes, whatever the repository's attributes say.
    `if [ -s ${first} ]; then`,
    `  cb_h1=$(cb_git hash-object --no-filters ${first}) || cb_fail hash-patch`,
    '  IDENTICAL=yes',
    `  for cb_p in ${others.join(' ')}; do`,
    '    if ! [ -s "$cb_p" ] || [ "$(cb_git hash-object --no-filters "$cb_p")" != "$cb_h1" ]; then IDENTICAL=no; break; fi',
    '  done',
    'fi',
    'cb_mark identical "$IDENTICAL"',
    'if [ "$IDENTICAL" = yes ]; then',
    '  cb_git checkout -q -f -B identical-merge "$BASE" || cb_fail checkout-identical',
    '  cb_git clean -fdxq || cb_fail clean-identical',
    `  if ${applyAny}; then`,
    '    cb_git add -A || cb_fail stage-identical',
    "    cb_git commit -q --no-verify --allow-empty -m 'merged' || cb_fail commit-identical",
    '    cb_mark identical_apply applied',
    '  else',
    '    cb_restore',
    `    cp -f ${first} ${patchFilePath('merged.patch')} || cb_fail copy-identical`,
    '    cb_merged_ready=1',
    '    cb_mark identical_apply raw',
    '  fi',
    '  STRATEGY=skip-merge-identical',
    'fi',
  )
}

/** cooperbench-0.0.16, pairs of more than two features: agent1's branch receives the others in turn until one conflicts; sets `NAIVE`. */
export function foldIntoLeadStep(branches: readonly string[]): string {
  const [lead, ...sources] = branches
  return joinScript(
    `cb_git checkout -q -f ${shellQuote(lead!)} || cb_fail checkout-lead`,
    'cb_git clean -fdxq || cb_fail clean-lead',
    'NAIVE=clean',
    mergeChain(sources, 'NAIVE', 'Fold', 'commit-fold', ['  cb_restore']),
    'cb_mark naive "$NAIVE"',
  )
}

/**
 * cooperbench-0.0.16, a merge that conflicted or a patch that did not apply: merged.patch is agent1's patch (the file that
 * applied), or empty if that failed too; prints `fallback=agent1|none`. Needs `cb_lead_status`/`cb_lead_file`.
 */
export function leadFallbackStep(mergedStrategy: 'naive' | 'sequential-fold'): string {
  const merged = patchFilePath('merged.patch')
  return joinScript(
    `STRATEGY=${mergedStrategy}`,
    'if [ "$NAIVE" = conflicts ] || [ -n "$cb_any_failed" ]; then',
    '  if [ "$cb_lead_status" = applied ] && [ -n "$cb_lead_file" ]; then',
    `    cp -f "$cb_lead_file" ${merged} || cb_fail copy-lead`,
    '    cb_mark fallback agent1',
    '  else',
    `    : > ${merged} || cb_fail empty-lead`,
    '    cb_mark fallback none',
    '  fi',
    '  cb_merged_ready=1',
    'fi',
  )
}

/** How many bytes of the merged diff the setup prints (enough for 5 000 characters of UTF-8). */
export const MERGED_HEAD_BYTES = 20_000

/** `git diff --binary BASE HEAD` → `/patches/merged.patch`, whatever the diff config; prints its size and head (`merged_head_b64`, if `base64` exists). */
export function mergedDiffStep(): string {
  const out = patchFilePath('merged.patch')
  return joinScript(
    // An earlier step may have written merged.patch itself (`cb_merged_ready`): only its size and head are printed.
    `if [ -z "$cb_merged_ready" ]; then cb_git diff --binary --no-color --no-ext-diff --no-textconv --src-prefix=a/ --dst-prefix=b/ "$BASE" HEAD > ${out} || cb_fail diff; fi`,
    `cb_size=$(wc -c < ${out}) || cb_fail diff-size`,
    'cb_size=${cb_size//[[:space:]]/}',
    'cb_mark merged_size "$cb_size"',
    // A patch that fits is encoded whole on one line (GNU's `-w 0`); else its head, lines joined.
    'if command -v base64 >/dev/null 2>&1; then',
    `  if [ "$cb_size" -le ${MERGED_HEAD_BYTES} ] && cb_head=$(base64 -w 0 ${out} 2>/dev/null); then :`,
    `  else cb_head=$(head -c ${MERGED_HEAD_BYTES} ${out} | base64 | tr -d '\\n'); fi`,
    '  cb_mark merged_head_b64 "$cb_head"',
    'fi',
  )
}

/** Solo: when the as-is patch does not apply and the repaired variant does, it replaces `solo.patch`; prints `variant.solo`. */
export function chooseSoloVariantStep(patch: string, repaired: string | undefined): string {
  if (repaired === undefined) return 'cb_mark variant.solo as-is'
  const p = shellQuote(patchFilePath(patch))
  const r = shellQuote(patchFilePath(repaired))
  return joinScript(
    `if ! [ -s ${p} ] || cb_apply ${p}; then cb_variant=as-is`,
    `elif cb_apply ${r}; then cp -f ${r} ${p} || cb_fail choose-variant; cb_variant=repaired`,
    'else cb_variant=as-is',
    'fi',
    'cb_restore',
    'cb_mark variant.solo "$cb_variant"',
  )
}

export function doneStep(): string {
  return 'cb_mark setup done'
}

export interface FeatureTestScriptSpec {
  /** The base commit (already resolved; validated by the caller). */
  base: string
  /** File names in `/patches`, passed to runner.sh unchanged. */
  testsPatch: string
  featurePatch: string
}

/** One feature's test run (docs/reference-compatibility.md#evaluation): BASE checked out clean, `Reset to base: <sha>`, the runner's status the script's. */
export function buildFeatureTestScript(spec: FeatureTestScriptSpec, keep: OutputEnds = TEST_OUTPUT_ENDS): string {
  return joinScript(
    scriptPrelude(),
    `BASE=${shellQuote(spec.base)}`,
    checkoutBaseStep(),
    'echo "Reset to base: $BASE"',
    KEEP_ENDS_FUNCTION,
    `bash ${SANDBOX_RUNNER_PATH} ${shellQuote(spec.testsPatch)} ${shellQuote(spec.featurePatch)} 2>&1 | cb_keep_ends ${keep.headBytes} ${keep.tailBytes}`,
    // The runner's status, not the filter's.
    'exit "${PIPESTATUS[0]}"',
  )
}

/** How much of a test run's output is kept: its start and its end (where runners print their summary). */
export interface OutputEnds {
  headBytes: number
  tailBytes: number
}

/** 1 MiB from each end: a runner printing a gigabyte is streamed through, and the verdict still sees the summary printed last. */
const TEST_OUTPUT_ENDS: OutputEnds = { headBytes: 1024 * 1024, tailBytes: 1024 * 1024 }

/**
 * `cb_keep_ends HEAD TAIL`: copies stdin's first HEAD bytes through; counts the rest and keeps its last TAIL bytes (a FIFO feeds `tail`),
 * then prints the truncation marker when bytes were dropped, and the kept end.
 */
const KEEP_ENDS_FUNCTION = [
  'cb_keep_ends() {',
  // head writes through stdio: unbuffered, what a run printed before a timeout kill is not lost.
  '  if command -v stdbuf >/dev/null 2>&1; then stdbuf -o0 head -c "$1"; else head -c "$1"; fi',
  // One more byte, read by bash itself (a NUL reads as empty): none, and the output was all in the head.
  // Bytes whatever the locale: a plain assignment (the function runs in a pipe's own process), which every bash honours, unlike a prefixed one.
  '  local cb_b cb_dir cb_tail_pid cb_rest_bytes',
  '  LC_ALL=C',
  "  IFS= read -r -d '' -n 1 cb_b || return 0",
  `  cb_rest() { if [ -n "$cb_b" ]; then printf '%s' "$cb_b"; else printf '\\0'; fi; cat; }`,
  // No folder for the FIFO: the rest goes through whole (the exec's own cap still bounds it), not lost.
  '  if ! cb_dir=$(mktemp -d 2>/dev/null) || ! mkfifo "$cb_dir/rest" 2>/dev/null; then [ -z "$cb_dir" ] || rm -rf "$cb_dir"; cb_rest; return 0; fi',
  '  tail -c "$2" < "$cb_dir/rest" > "$cb_dir/tail" &',
  '  cb_tail_pid=$!',
  '  cb_rest_bytes=$(cb_rest | tee "$cb_dir/rest" | wc -c)',
  '  cb_rest_bytes=${cb_rest_bytes//[[:space:]]/}',
  '  wait "$cb_tail_pid"',
  '  if [ "$cb_rest_bytes" -gt "$2" ]; then',
  `    printf '\\n${truncationMarker(0).replace('0 bytes', '%s bytes')}\\n' "$((cb_rest_bytes - $2))"`,
  '  fi',
  '  cat "$cb_dir/tail"',
  '  rm -rf "$cb_dir"',
  '}',
].join('\n')

import { createHash } from 'node:crypto'
import { CooperbenchError } from '@cooperbench/spec'

/**
 * Removes the project's later history from a task repository ("no leaked answers"). A clone at the base, or a bundle, still holds
 * the commits after it, which implemented the features agents are asked to write (remote refs, tags, the tip branch, the stash,
 * reflogs, unreachable objects: `git log --all -p`). Upstream 0.0.23 cleans at every sandbox setup; here once per image (docker:
 * a derived layer cached by content) or per bundle (local: the cached mirror).
 *
 * POSIX sh over plain git (host, Docker builds, Modal, GCP): `sh -c "$SCRIPT" clean-repo-history REPO BASE` (BASE `HEAD`: what an image has checked out).
 *
 * Exit codes: 0 clean; 4 BASE is not a commit of REPO; 5 REPO's HEAD (a work tree) is not BASE (both print `REPO is at <HEAD>`);
 * 6 an object the base does not reach survived; other: git failed.
 */
export const CLEAN_REPO_HISTORY_SCRIPT = String.raw`set -eu
repo=$1 base=$2
cd "$repo"
g() { git -c safe.directory='*' -c core.hooksPath=/dev/null -c gc.auto=0 -c maintenance.auto=false "$@"; }
head=$(g rev-parse --verify --quiet HEAD || true)
commit=$(g rev-parse --verify --quiet "$base^{commit}") || { echo "clean-repo-history: $repo is at ${'$'}{head:-no commit}; its base $base is not a commit of it" >&2; exit 4; }
gitdir=$(cd "$(g rev-parse --git-dir)" && pwd)
if [ "$(g rev-parse --is-bare-repository)" = false ]; then
  [ "$head" = "$commit" ] || { echo "clean-repo-history: $repo is at ${'$'}{head:-no commit}, not at the base commit $commit" >&2; exit 5; }
fi
# HEAD detached at the base; every ref (branches, tags, remotes, stash, notes, replace) goes.
g update-ref --no-deref HEAD "$commit"
for remote in $(g remote); do g remote remove "$remote"; done
g for-each-ref --format='%(refname)' | while IFS= read -r ref; do g update-ref --no-deref -d "$ref"; done
rm -rf "$gitdir/logs" "$gitdir/refs/original" "$gitdir/rr-cache" "$gitdir/info/refs"
rm -f "$gitdir/FETCH_HEAD" "$gitdir/ORIG_HEAD" "$gitdir/MERGE_HEAD" "$gitdir/CHERRY_PICK_HEAD" "$gitdir/REVERT_HEAD" "$gitdir/AUTO_MERGE"
g worktree prune
# Objects borrowed from another repository come in first; then only what the base (and the
# index) reaches is kept. A commit-graph or a multi-pack index would still name later commits.
if [ -s "$gitdir/objects/info/alternates" ]; then g repack -a -q; rm -f "$gitdir/objects/info/alternates"; fi
rm -rf "$gitdir/objects/info/commit-graph" "$gitdir/objects/info/commit-graphs" "$gitdir/objects/pack/multi-pack-index"
g repack -a -d -q
g prune --expire=now
rm -f "$gitdir/objects/pack/"*.bitmap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{ g rev-list --objects "$commit" | cut -d' ' -f1; [ -f "$gitdir/index" ] && g ls-files --stage | cut -d' ' -f2 || true; } | sort -u > "$tmp/kept"
g cat-file --batch-all-objects --batch-check='%(objectname)' | sort -u > "$tmp/all"
extra=$(comm -23 "$tmp/all" "$tmp/kept" | head -n 3 | tr '\n' ' ')
[ -z "$extra" ] || { echo "clean-repo-history: objects the base does not reach survived in $repo: $extra" >&2; exit 6; }
# Run as root on another user's repository (an image's layer), the new packs go back to its owner.
if [ "$(id -u)" = 0 ]; then chown -R "$(stat -c %u:%g "$repo")" "$gitdir"; fi
`

/** The argv that runs the cleaning script on repository `repo` (a path where it runs) for base commit `base`. */
export function cleanRepoHistoryArgv(repo: string, base: string): string[] {
  return ['sh', '-c', CLEAN_REPO_HISTORY_SCRIPT, 'clean-repo-history', repo, base]
}

/** Short digest of the script: part of every cache key of a cleaned repository or image, so a changed script re-cleans. */
export const CLEAN_REPO_HISTORY_DIGEST = createHash('sha256').update(CLEAN_REPO_HISTORY_SCRIPT).digest('hex').slice(0, 12)

/** What each exit status of the script means, for error messages. */
export function cleanRepoHistoryFailure(exitCode: number | null): string {
  if (exitCode === 4) return 'the base commit is not in the repository'
  if (exitCode === 5) return 'the repository is not at the base commit'
  if (exitCode === 6) return 'objects of later commits survived the cleaning'
  return `git failed (exit ${exitCode ?? 'by signal'})`
}

/** The error of a task container (`where`) whose /workspace/repo the script could not clean, with what the script printed. */
export function uncleanRepoError(where: string, exitCode: number | null, output: string): CooperbenchError {
  return new CooperbenchError(
    'SANDBOX_FAILED',
    `${where}: cannot remove the history after the base commit from /workspace/repo: ${cleanRepoHistoryFailure(exitCode)}`,
    {
      details: output.trim().split('\n'),
      hint: 'A sandbox must not hold the commits that implemented the features; check the image with `git log --all` in /workspace/repo.',
    },
  )
}

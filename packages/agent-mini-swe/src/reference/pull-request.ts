import { normalizeSubmittedPatch } from '@cooperbench/spec-utils/patch'
import type { CommandOutcome } from '../agent/observation.js'
import { followsAtLeast, type ReferenceVersion } from './reference-version.js'

/**
 * Upstream's submission from 0.0.23 on: the agent commits, pushes its branch to the remote `origin` and opens a pull
 * request with `gh pr create`; what is judged is the diff from the base commit to that branch on the remote (CHANGELOG
 * 0.0.23, "submits a pull request instead of writing patch.txt"; connectors/git.py `setup`, `submitted_patch`,
 * `_install_gh_shim`, connectors/gh_shim.sh, agents/default.py `_nudge_unsubmitted`, `_opened_pr`). With 0.0.24's fixes
 * (CHANGELOG 0.0.24): the pushed branch counts without a pull request, `origin` is checked at setup, `gh pr create`
 * warns of a conflicting colleague branch and reads `--body-file`, and ending with unshared work is refused twice.
 * Without a shared remote (solo, or a pair without `--git`) `origin` is a bare repository inside the agent's own sandbox,
 * as upstream's (`/tmp/team.git`).
 */

/** Runs a command in the agent's sandbox as its own commands run (repository, environment, text-mode output). */
export type Exec = (command: string) => Promise<CommandOutcome>

/** Upstream's remote name from 0.0.23 (`GitConnector.REMOTE_NAME`). */
export const PR_REMOTE = 'origin'
/** Upstream's remote without a shared server (`GitConnector.setup`). */
export const PRIVATE_REMOTE = '/tmp/team.git'
/** Where the shim goes (upstream's), and where it goes when that is read-only (the local backend's sandboxes). */
const SHIM_PATHS = ['/usr/local/bin', '/tmp/.cooperbench-bin'] as const
/** Upstream's cap on nudges (`MAX_SUBMIT_NUDGES`). */
export const MAX_SUBMIT_NUDGES = 2

/** What the run needs later: the pinned base commit, and the directory to put on PATH for the shim ('' when it is on PATH). */
export interface PreparedPullRequests {
  base: string
  pathDir: string
}

/**
 * Sets the agent's repository up as upstream's `GitConnector.setup` does from 0.0.23: its identity, the remote `origin`
 * (the pair's shared remote, which the harness names `team`, renamed; else a bare repository in the sandbox), its own
 * branch pushed with tracking, `main` = the base, the `gh` shim; 0.0.24 on, `origin` checked. Throws when the shim or
 * the remote cannot be set up: upstream raises there (the agent could not submit at all).
 */
export async function preparePullRequests(
  exec: Exec,
  write: (path: string, text: string) => Promise<void>,
  { agentId, shared, version }: { agentId: string; shared: { remote: string; url: string } | null; version: ReferenceVersion },
): Promise<PreparedPullRequests> {
  const url = shared?.url ?? PRIVATE_REMOTE
  const setup = [
    'git config user.email "agent@cooperbench.local"',
    `git config user.name "${agentId}"`,
    shared ? `git remote remove ${shared.remote} 2>/dev/null || true` : `git init -q --bare ${PRIVATE_REMOTE} 2>/dev/null || true`,
    `git remote add ${PR_REMOTE} ${url} 2>/dev/null || git remote set-url ${PR_REMOTE} ${url}`,
    `git checkout -q -b ${agentId} 2>/dev/null || git checkout -q ${agentId}`,
    `git push -q -u ${PR_REMOTE} ${agentId} --force 2>&1 || echo "initial push failed" >&2`,
    `git push -q ${PR_REMOTE} HEAD:refs/heads/main --force 2>/dev/null || true`,
  ].join('\n')
  await exec(setup)
  if (followsAtLeast(version, '0.0.24')) {
    const got = (await exec(`git remote get-url ${PR_REMOTE}`)).output.trim()
    if (got !== url) throw new Error(`${PR_REMOTE} for ${agentId} is ${JSON.stringify(got)}, not the team remote ${url}`)
  }
  const pathDir = await installShim(exec, write, agentId, version)
  const base = (await exec('git rev-parse HEAD')).output.trim()
  return { base, pathDir }
}

/** Writes the shim where the sandbox lets it; the directory to add to PATH ('' for upstream's own). */
async function installShim(exec: Exec, write: (path: string, text: string) => Promise<void>, agentId: string, version: ReferenceVersion): Promise<string> {
  const shim = ghShim(agentId, version)
  for (const dir of SHIM_PATHS) {
    try {
      await exec(`mkdir -p ${dir}`)
      await write(`${dir}/gh`, shim)
      const found = await exec(`chmod +x ${dir}/gh && PATH="${dir}:$PATH" command -v gh`)
      if (found.returncode === 0 && found.output.trim() === `${dir}/gh`) return dir === SHIM_PATHS[0] ? '' : dir
    } catch {
      // Read-only there: the next place.
    }
  }
  throw new Error(`gh shim not installed for ${agentId}`)
}

/**
 * The patch upstream judges (`submitted_patch`): the diff from the base commit to the agent's branch on `origin`, once a
 * pull request is open there (its tag `pr/<agent>` on the remote, not the local one); 0.0.24 on, the pushed branch without
 * one too. '' otherwise or when a command fails. Normalised as upstream's adapter does (0.0.16's `normalize_patch`).
 */
export async function pullRequestPatch(exec: Exec, agentId: string, base: string, version: ReferenceVersion): Promise<string> {
  try {
    await exec(`git fetch -q --tags ${PR_REMOTE} 2>/dev/null || true`)
    await exec(`git fetch -q ${PR_REMOTE} 2>/dev/null || true`)
    if (!followsAtLeast(version, '0.0.24') && !(await openedPullRequest(exec, agentId))) return ''
    const diff = await exec(`git --no-pager diff ${base} ${PR_REMOTE}/${agentId}`)
    return diff.returncode === 0 ? normalizeSubmittedPatch(diff.output) : ''
  } catch {
    return ''
  }
}

/** Whether the agent's pull request is open on the remote (upstream's `_opened_pr`). */
export async function openedPullRequest(exec: Exec, agentId: string): Promise<boolean> {
  const found = await exec(`git ls-remote --tags ${PR_REMOTE} refs/tags/pr/${agentId}`)
  return found.output.trim() !== ''
}

/**
 * Upstream 0.0.24's answer to an agent ending with work it did not share (`_nudge_unsubmitted`): with a colleague to
 * message, at most twice, when no pull request is open and the tree is dirty or commits are not pushed. The text the
 * model reads, or null: the run ends.
 */
export async function submitNudge(exec: Exec, agentId: string): Promise<string | null> {
  if (await openedPullRequest(exec, agentId)) return null
  const dirty = (await exec('git status --porcelain')).output.trim() !== ''
  const ahead = (await exec(`git rev-list --count ${PR_REMOTE}/${agentId}..HEAD 2>/dev/null`)).output.trim()
  const unpushed = ahead !== '' && ahead !== '0'
  if (!dirty && !unpushed) return null
  const held = dirty ? 'uncommitted changes' : 'commits that are not pushed'
  return (
    `You have not submitted anything. Your work is still local (${held}) and no pull request exists, so it would be graded as an empty submission.\n\n` +
    '    git add <the files you want to submit>\n' +
    '    git commit -m "..."\n' +
    `    git push ${PR_REMOTE} HEAD:${agentId}\n` +
    '    gh pr create --title "..." --body "..."\n\n' +
    'Then echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT again.'
  )
}

/**
 * `gh pr create|list|view|diff|checkout` over `origin` with plain git, as upstream's shim behaves (its outputs are what the
 * agent reads). A pull request is the annotated tag `pr/<agent>` on the remote (title, blank line, body as its message);
 * its content is always the branch's tip there. 0.0.24 added `--body-file` (`-` reads stdin) and, after opening, a
 * `git merge-tree` check against each colleague's branch (skipped where git lacks `--write-tree`).
 */
export function ghShim(agentId: string, version: ReferenceVersion): string {
  const fixes = followsAtLeast(version, '0.0.24')
  const bodyFile = fixes ? `        -T|--body-file) if [ "\${2:-}" = - ]; then body=$(cat); else body=$(cat "\${2:-}"); fi; shift 2 ;;\n` : ''
  const conflicts = fixes ? CONFLICT_CHECK : ''
  return `#!/bin/sh
# cooperbench: upstream CooperBench's \`gh\` shim (mini_swe_agent_v2, ${fixes ? '0.0.24' : '0.0.23'} on), reimplemented: pull requests on the remote origin.
set -eu
me="${agentId}"
remote=${PR_REMOTE}
base="$remote/main"

fail() { printf '%s\\n' "$*" >&2; exit 1; }

not_here() {
    cat >&2 <<HELP
gh: '$*' is not available in this environment.

There is no GitHub here — PRs live on the shared 'origin' git remote. Available:
  gh pr create --title T --body B   open your PR (proposes your current commit)
  gh pr list                        PRs opened so far
  gh pr view <agent>                title, body and summary of their PR
  gh pr diff <agent>                the code they are proposing
  gh pr checkout <agent>            check out their PR locally

Review happens over send_message, not PR comments.
HELP
    exit 2
}

refresh() { git fetch -q --tags "$remote" 2>/dev/null || true; git fetch -q "$remote" 2>/dev/null || true; }

opened() { git rev-parse -q --verify "refs/tags/pr/$1" >/dev/null; }

pr_create() {
    title=""
    body=""
    while [ $# -gt 0 ]; do
        case "$1" in
        -t|--title) title="\${2:-}"; shift 2 ;;
        -b|--body) body="\${2:-}"; shift 2 ;;
${bodyFile}        *) shift ;;
        esac
    done
    [ -n "$title" ] || fail "gh pr create: --title is required."
    on="$(git rev-parse --abbrev-ref HEAD)"
    [ "$on" = "$me" ] || fail "gh pr create: you are on branch '$on', not your own branch '$me'.
Switch back with: git checkout $me"
    git push -q -f "$remote" "HEAD:$me"
    git tag -f -a "pr/$me" -m "$title

$body" HEAD >/dev/null
    git push -f -q "$remote" "refs/tags/pr/$me"
    echo "opened PR for $me: $title"
    echo "further commits are included automatically — push them with: git push $remote HEAD:$me"
    git --no-pager diff --stat "$base" HEAD
${conflicts}}

pr_list() {
    refresh
    any=0
    for tag in $(git for-each-ref --format='%(refname)' 'refs/tags/pr/*'); do
        who="\${tag##*/}"
        printf '%s\\t%s\\n' "$who" "$(git tag -l --format='%(contents:subject)' "pr/$who")"
        any=1
    done
    [ "$any" = 1 ] || echo "no PRs opened yet"
}

pr_view() {
    who="\${1:?gh pr view: which agent?}"
    refresh
    opened "$who" || fail "gh pr view: $who has not opened a PR yet."
    git tag -l --format='%(contents)' "pr/$who"
    git --no-pager diff --stat "$base" "$remote/$who"
}

pr_diff() {
    who="\${1:?gh pr diff: which agent?}"
    refresh
    opened "$who" || fail "gh pr diff: $who has not opened a PR yet."
    git --no-pager diff "$base" "$remote/$who"
}

pr_checkout() {
    who="\${1:?gh pr checkout: which agent?}"
    refresh
    git checkout -q -B "pr-$who" "$remote/$who"
    echo "checked out $who's PR as branch pr-$who"
}

[ $# -ge 1 ] || not_here ""
[ "$1" = pr ] || not_here "$@"
shift
[ $# -ge 1 ] || not_here pr
verb="$1"
shift
case "$verb" in
create) pr_create "$@" ;;
list|ls) pr_list ;;
view) pr_view "$@" ;;
diff) pr_diff "$@" ;;
checkout|co) pr_checkout "$@" ;;
*) not_here pr "$verb" ;;
esac
`
}

/** 0.0.24: after opening, each colleague branch on the remote that would not merge with this one is named. */
const CONFLICT_CHECK = `    git fetch -q "$remote" 2>/dev/null || true
    # Without --write-tree (git before 2.38) every merge would read as a conflict: no check then.
    git merge-tree --write-tree HEAD HEAD >/dev/null 2>&1 || return 0
    for ref in $(git for-each-ref --format='%(refname)' "refs/remotes/$remote/*"); do
        peer="\${ref#refs/remotes/$remote/}"
        case "$peer" in HEAD|main|"$me") continue ;; esac
        git rev-parse -q --verify "$remote/$peer" >/dev/null 2>&1 || continue
        if ! git merge-tree --write-tree HEAD "$remote/$peer" >/dev/null 2>&1; then
            echo
            echo "WARNING: your branch conflicts with $peer's."
            echo "Both PRs are merged before testing, so this fails both of you."
            echo "See where:  git --no-pager diff $base $remote/$peer"
            echo "Then message them and agree who changes what."
        fi
    done
`

import type { Exec } from './pull-request.js'

/**
 * Upstream 0.0.22's publication at exit (CHANGELOG 0.0.22, "`team/<peer>` never contained the peer's work"): the agent's
 * submitted patch, `patch.txt`, committed onto the base commit in a detached worktree (the agent's own branch, index and
 * working tree untouched) and pushed to `<remote>/<agent>`, so a colleague who fetches reads what was submitted.
 * Best-effort: false when there is no patch.txt, it does not apply, or the push fails (upstream's exit marker then says
 * unpublished). Upstream's code of that release was not at hand: the steps follow its CHANGELOG; the commit's message is ours.
 */
export async function publishPatchFile(exec: Exec, { agentId, remote, base }: { agentId: string; remote: string; base: string }): Promise<boolean> {
  const script = [
    'set -e',
    'test -s patch.txt',
    'repo=$(pwd)',
    'dir=$(mktemp -d /tmp/cooperbench-publish.XXXXXX)',
    `git worktree add -q --detach "$dir" ${base}`,
    'trap \'cd "$repo"; git worktree remove --force "$dir" >/dev/null 2>&1 || true\' EXIT',
    'cd "$dir"',
    'git apply --whitespace=nowarn "$repo/patch.txt"',
    'git add -A',
    `git -c core.hooksPath=/dev/null commit -q --allow-empty -m "${agentId}: submitted patch (patch.txt)"`,
    `git -c core.hooksPath=/dev/null push -q -f ${remote} HEAD:refs/heads/${agentId}`,
  ].join('\n')
  try {
    return (await exec(script)).returncode === 0
  } catch {
    return false
  }
}

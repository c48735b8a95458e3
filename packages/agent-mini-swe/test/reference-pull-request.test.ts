/**
 * Upstream's submission through a pull request (reference_version 0.0.23 on), each behaviour
 * naming the CHANGELOG line it follows; upstream's code read at 04846de (agents/default.py) and
 * from its connectors/git.py and connectors/gh_shim.sh. The templates are our own text: a user
 * supplies upstream's files of those releases at run time. Runs in real local sandboxes, with
 * the pair's remote played by the sandbox's own `/tmp/team.git`, as upstream's solo runs have it.
 */
import { MemoryBus } from '@cooperbench/builtins'
import { isCooperbenchError, type Sandbox } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { readReferenceProtocol } from '../src/reference/config.js'
import { ghShim, MAX_SUBMIT_NUDGES, preparePullRequests, submitNudge } from '../src/reference/pull-request.js'
import { agentWith, bash, contents, coopContext, runContext, SUBMIT, scriptedModel, fixtureSandboxes } from './fakes.js'

const SUBMIT_PR =
  '## Submit\nCommit your work, `git push origin HEAD:{{ agent_id }}`, `gh pr create --title T --body B`, then `echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT`.'
const SUBMIT_PATCH_TXT = '## Submit\nWrite `git diff > patch.txt`, then run `echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT`.'

function config(version: string | undefined, submit = SUBMIT_PR) {
  return {
    agent: { system_template: 'sys', instance_template: `{{ task }}\n${submit}` },
    model: { cost_tracking: 'ignore_errors', observation_template: '{{ output.returncode }}|{{ output.output }}' },
    ...(version === undefined ? {} : { reference_version: version }),
  }
}

function refusal(options: Record<string, unknown>) {
  try {
    readReferenceProtocol(options, {})
  } catch (error) {
    if (!isCooperbenchError(error)) throw error
    return { code: error.code, message: error.message, hint: error.hint ?? '' }
  }
  throw new Error('accepted')
}

describe('which files run under which release (CHANGELOG 0.0.23: "submits a pull request instead of writing patch.txt")', () => {
  it('a file naming `gh pr create` judges the pull request under 0.0.23 and later', () => {
    for (const version of ['0.0.23', '0.0.24', '0.0.25', '0.0.28']) expect(readReferenceProtocol(config(version), {}).submission).toBe('pull-request')
    expect(readReferenceProtocol(config('0.0.22', SUBMIT_PATCH_TXT), {}).submission).toBe('patch.txt')
  })

  it('a patch.txt file under 0.0.23 or later is refused: upstream would judge a pull request its agents were never asked to open', () => {
    const refused = refusal(config('0.0.25', SUBMIT_PATCH_TXT))
    expect(refused.code).toBe('CONFIG_INVALID')
    expect(refused.message).toBe(
      "reference_version 0.0.25 judges a pull request, but the configuration file's templates ask for patch.txt (0.0.14–0.0.22's submission)",
    )
    expect(refused.hint).toContain('one of 0.0.14, 0.0.22 with this file')
  })

  it('a pull-request file needs a release of 0.0.23 or later, named', () => {
    expect(refusal(config(undefined)).message).toContain('submits through a pull request (`gh pr create`)')
    expect(refusal(config(undefined)).hint).toContain('0.0.23, 0.0.24, 0.0.25, 0.0.26, 0.0.27, 0.0.28')
    expect(refusal(config('0.0.22')).message).toBe('reference_version 0.0.22 cannot run a configuration file that submits through a pull request')
  })
})

describe('0.0.24\'s origin check (CHANGELOG 0.0.24: "`setup()` now verifies `git remote get-url origin`")', () => {
  const setUp = (version: '0.0.23' | '0.0.24', url: string) =>
    preparePullRequests(
      async (command) => ({
        output: command.startsWith('git remote get-url') ? `${url}\n` : command.includes('command -v gh') ? '/usr/local/bin/gh\n' : '',
        returncode: 0,
      }),
      async () => {},
      { agentId: 'agent1', shared: null, version },
    )

  it('an origin that is not the team remote fails the set-up (the harness, not the agent); 0.0.23 did not check', async () => {
    await expect(setUp('0.0.24', 'https://github.com/go-chi/chi.git')).rejects.toThrow(
      'origin for agent1 is "https://github.com/go-chi/chi.git", not the team remote /tmp/team.git',
    )
    await expect(setUp('0.0.23', 'https://github.com/go-chi/chi.git')).resolves.toMatchObject({ pathDir: '' })
    await expect(setUp('0.0.24', '/tmp/team.git')).resolves.toMatchObject({ pathDir: '' })
  })
})

describe('the gh shim (CHANGELOG 0.0.23: "A `gh` shim implements `gh pr create/list/view/diff/checkout` over the shared remote")', () => {
  it('0.0.24 adds --body-file and the conflict check; 0.0.23 has neither', () => {
    expect(ghShim('agent1', '0.0.24')).toContain('--body-file')
    expect(ghShim('agent1', '0.0.24')).toContain('merge-tree --write-tree')
    expect(ghShim('agent1', '0.0.23')).not.toContain('--body-file')
    expect(ghShim('agent1', '0.0.23')).not.toContain('merge-tree')
  })
})

const sandboxes = fixtureSandboxes()

const SUB = "printf 'def add(a, b):\\n    return a + b\\n\\n\\ndef sub(a, b):\\n    return a - b\\n' > calc.py"
const COMMIT = 'git add -A && git commit -qm work'

/** One solo run (its agent `solo`) of the scripted commands, then the submit, in a fresh sandbox: what it submitted and what the model read. */
async function solo(version: string, commands: string[], sandbox?: Sandbox) {
  const options = config(version)
  const model = scriptedModel([...commands.map((c) => bash(c)), bash(SUBMIT)])
  const box = sandbox ?? (await sandboxes.create())
  const result = await agentWith(model, options).run(runContext({ sandbox: box, options }))
  return { result, model, sandbox: box, seen: (i: number) => contents(model.requests[i + 1]).at(-1) }
}

describe.skipIf(sandboxes.skip)('the judged patch, in a real sandbox', () => {
  it('0.0.23: the diff from the base to the branch of the pull request on origin, later pushes included; patch.txt and unpushed work are not', async () => {
    const { result, seen } = await solo('0.0.23', [
      'git remote -v | head -1 && git rev-parse --abbrev-ref HEAD && command -v gh >/dev/null && echo gh-found',
      'echo "# notes" >> README.md && git add README.md && git commit -qm readme && gh pr create --title "Add sub" --body "adds sub"',
      `${SUB} && ${COMMIT} && git push -q origin HEAD:solo`,
      'echo unpushed >> README.md && git diff > patch.txt',
    ])
    expect(seen(0)).toBe('0|origin\t/tmp/team.git (fetch)\nsolo\ngh-found\n')
    expect(seen(1)).toMatch(
      /^0\|opened PR for solo: Add sub\nfurther commits are included automatically — push them with: git push origin HEAD:solo\n README.md \| 1 \+\n/,
    )
    expect(result.submittedPatchSource).toBe('pull_request')
    expect(result.submittedPatch).toContain('+# notes')
    expect(result.submittedPatch).toContain('+def sub(a, b):')
    expect(result.submittedPatch).not.toContain('unpushed')
    expect(result.submittedPatch).not.toContain('patch.txt')
    expect(result.submittedPatch!.endsWith('\n')).toBe(true)
  })

  it('0.0.23: a pushed branch without a pull request submits nothing ("an agent that never opens a PR submits nothing")', async () => {
    const { result } = await solo('0.0.23', [`${SUB} && ${COMMIT} && git push -q origin HEAD:solo`])
    expect(result.submittedPatch).toBe('')
  })

  it('0.0.24: the pushed branch counts without a pull request ("`submitted_patch()` now falls back to the branch diff"); nothing pushed, nothing', async () => {
    const pushed = await solo('0.0.24', [`${SUB} && ${COMMIT} && git push -q origin HEAD:solo`])
    expect(pushed.result.submittedPatch).toContain('+def sub(a, b):')
    const local = await solo('0.0.24', [`${SUB} && ${COMMIT}`])
    expect(local.result.submittedPatch).toBe('')
  })

  it('0.0.24: --body-file - reads the body from stdin, backticks and all ("PR bodies containing markdown no longer kill the command")', async () => {
    const heredoc = "gh pr create --title T --body-file - <<'EOF'\nadds `sub()`\nEOF\n"
    const { seen } = await solo('0.0.24', [`${SUB} && ${COMMIT} && ${heredoc}`, 'gh pr view solo'])
    expect(seen(1)).toMatch(/^0\|T\n\nadds `sub\(\)`\n/)
    const before = await solo('0.0.23', [`${SUB} && ${COMMIT} && ${heredoc}`, 'gh pr view solo'])
    // 0.0.23 skips the flag and its value: a PR with the title alone.
    expect(before.seen(1)).toMatch(/^0\|T\n+ calc\.py \| 4 /)
  })

  it('0.0.24: gh pr create names a colleague branch that would conflict ("`gh pr create` reports a conflicting peer branch")', async () => {
    const theirs =
      "git checkout -q -b agent2 && printf 'def add(a, b):\\n    return b + a\\n' > calc.py && git commit -qam theirs && git push -q origin agent2 && git checkout -q solo"
    const mine = "printf 'def add(a, b):\\n    return a + b + 0\\n' > calc.py && git commit -qam mine && gh pr create --title mine --body b"
    const { seen } = await solo('0.0.24', [theirs, mine])
    expect(seen(1)).toContain(
      "WARNING: your branch conflicts with agent2's.\nBoth PRs are merged before testing, so this fails both of you.\nSee where:  git --no-pager diff origin/main origin/agent2\nThen message them and agree who changes what.\n",
    )
    const before = await solo('0.0.23', [theirs, mine])
    expect(before.seen(1)).not.toContain('WARNING')
  })

  it('the shim refuses what it does not implement, and a pull request from a colleague branch', async () => {
    const { seen } = await solo('0.0.24', ['gh issue list', 'git checkout -q -b other && gh pr create --title x'])
    expect(seen(0)).toMatch(/^2\|gh: 'issue list' is not available in this environment\.\n\nThere is no GitHub here/)
    expect(seen(1)).toBe("1|gh pr create: you are on branch 'other', not your own branch 'solo'.\nSwitch back with: git checkout solo\n")
  })
})

describe.skipIf(sandboxes.skip)('0.0.24: ending with unshared work (CHANGELOG 0.0.24: "Ending the episode with unshared work is refused")', () => {
  const NUDGE =
    'You have not submitted anything. Your work is still local (uncommitted changes) and no pull request exists, so it would be graded as an empty submission.\n\n' +
    '    git add <the files you want to submit>\n    git commit -m "..."\n    git push origin HEAD:agent1\n    gh pr create --title "..." --body "..."\n\n' +
    'Then echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT again.'

  async function coop(version: string, script: string[]) {
    const bus = new MemoryBus()
    const [one] = await Promise.all([bus.open('run:pr', 'agent1', ['agent2']), bus.open('run:pr', 'agent2', ['agent1'])])
    const options = config(version)
    const model = scriptedModel(script.map((c) => bash(c)))
    const sandbox = await sandboxes.create()
    const result = await agentWith(model, options).run(coopContext(one, { sandbox, options }))
    return { result, model }
  }

  it('the agent is told the submit sequence and goes on; what it then shares is judged', async () => {
    const { result, model } = await coop('0.0.24', [SUB, SUBMIT, `${COMMIT} && gh pr create --title T --body B`, SUBMIT])
    expect(contents(model.requests[2]).at(-1)).toBe(NUDGE)
    expect(model.requests).toHaveLength(4)
    expect(result.status).toBe('Submitted')
    expect(result.submittedPatch).toContain('+def sub(a, b):')
  })

  it(`at most ${MAX_SUBMIT_NUDGES} nudges ("capped at two nudges, after which ending empty is its own choice"); 0.0.23 none`, async () => {
    const { result, model } = await coop('0.0.24', [SUB, SUBMIT, SUBMIT, SUBMIT])
    expect(model.requests).toHaveLength(4)
    expect(contents(model.requests[3]).filter((m) => m === NUDGE)).toHaveLength(2)
    expect(result.submittedPatch).toBe('')
    const before = await coop('0.0.23', [SUB, SUBMIT])
    expect(before.model.requests).toHaveLength(2)
  })

  it("alone (no colleague to message) an agent is not nudged, as upstream's check needs its messaging connector", async () => {
    const { model } = await solo('0.0.24', [SUB])
    expect(model.requests).toHaveLength(2)
  })

  it('unpushed commits are named as such', async () => {
    const sandbox = await sandboxes.create()
    let path = ''
    const exec = async (command: string) => {
      const r = await sandbox.exec(['bash', '-lc', `${path}${command}`], { cwd: '/workspace/repo' })
      return { output: r.stdout + r.stderr, returncode: r.exitCode }
    }
    const { pathDir } = await preparePullRequests(exec, (file, text) => sandbox.writeFile(file, text), { agentId: 'agent1', shared: null, version: '0.0.24' })
    if (pathDir !== '') path = `export PATH="${pathDir}:$PATH"\n`
    expect(await submitNudge(exec, 'agent1')).toBeNull()
    await exec(`${SUB} && ${COMMIT}`)
    expect(await submitNudge(exec, 'agent1')).toContain('(commits that are not pushed)')
    await exec('git push -q origin HEAD:agent1 && gh pr create --title T --body B')
    expect(await submitNudge(exec, 'agent1')).toBeNull()
  })
})

/**
 * Upstream 0.0.22's publication at exit and the exit marker it sets (CHANGELOG 0.0.22: "Each agent now publishes its
 * **submitted patch** (`patch.txt` …) to `team/<agent_id>` on exit. It is built in a detached worktree from the pristine
 * base"; "the exit marker records whether the patch actually reached the remote"), and 0.0.23's meaning of published (a
 * pull request opened: agents/default.py `mark_exited(published=self._opened_pr())`, 04846de). The pair's shared remote is
 * a bare repository in the sandbox, named `team` as the harness names it.
 */
describe.skipIf(sandboxes.skip)('published at exit, and what a colleague is then told', () => {
  const SHARED = { remote: 'team', url: '/tmp/shared.git' }
  /** The harness's `--git` set-up (core/runner/git-remote.ts), with the remote inside the sandbox. */
  const CONNECT = `git config user.email agent@cooperbench.local && git config user.name agent1 && git init -q --bare ${SHARED.url} && git remote add team ${SHARED.url} && git checkout -q -B agent1 && git push -q team HEAD:refs/heads/main HEAD:refs/heads/agent1`

  async function pairRun(version: string, commands: string[], submit = version === '0.0.22' ? SUBMIT_PATCH_TXT : SUBMIT_PR) {
    const bus = new MemoryBus()
    const [one, two] = (await Promise.all([bus.open('run:pub', 'agent1', ['agent2']), bus.open('run:pub', 'agent2', ['agent1'])])) as [
      Awaited<ReturnType<MemoryBus['open']>>,
      Awaited<ReturnType<MemoryBus['open']>>,
    ]
    const sandbox = await sandboxes.create()
    expect((await sandbox.exec(CONNECT, { cwd: '/workspace/repo' })).exitCode).toBe(0)
    const options = config(version, submit)
    const model = scriptedModel([...commands.map((c) => bash(c)), bash(SUBMIT)])
    const result = await agentWith(model, options).run(coopContext(one, { sandbox, options, git: SHARED }))
    const show = async (command: string) => (await sandbox.exec(command, { cwd: '/workspace/repo' })).stdout
    return { result, two, show }
  }

  it("0.0.22: patch.txt is pushed to team/<agent> on a commit of its own over the base; the agent's branch untouched; marked published", async () => {
    const { result, two, show } = await pairRun('0.0.22', [`${SUB} && git diff > patch.txt && git checkout calc.py && echo local >> README.md && ${COMMIT}`])
    expect(result.submittedPatchSource).toBe('agent_patch_file')
    expect(result.submittedPatch).toContain('+def sub(a, b):')
    expect(await show('git show team/agent1:calc.py')).toContain('def sub(a, b):')
    expect(await show('git show team/agent1:README.md')).not.toContain('local')
    expect(await show('git rev-list --count team/main..team/agent1')).toBe('1\n')
    expect(await show('git log -1 --format=%s agent1')).toBe('work\n')
    expect(await two.hasPublished('agent1')).toBe(true)
  })

  it('0.0.22: no patch.txt, nothing published, not marked', async () => {
    const { two, show } = await pairRun('0.0.22', [SUB])
    expect(await show('git rev-list --count team/main..team/agent1')).toBe('0\n')
    expect(await two.hasPublished('agent1')).toBe(false)
  })

  it('0.0.24: a pull request opened is "published"; a pushed branch without one is judged but not marked', async () => {
    const opened = await pairRun('0.0.24', [`${SUB} && ${COMMIT} && gh pr create --title T --body B`])
    expect(await opened.show('git remote')).toBe('origin\n')
    expect(await opened.two.hasPublished('agent1')).toBe(true)
    const pushed = await pairRun('0.0.24', [`${SUB} && ${COMMIT} && git push -q origin HEAD:agent1`])
    expect(pushed.result.submittedPatch).toContain('+def sub(a, b):')
    expect(await pushed.two.hasPublished('agent1')).toBe(false)
  })

  it("a published colleague's exit points at its branch: team/ at 0.0.22, origin/ from 0.0.23 (agents/default.py `_peer_work_pointer`)", async () => {
    for (const [version, remote] of [
      ['0.0.22', 'team'],
      ['0.0.24', 'origin'],
    ] as const) {
      const bus = new MemoryBus()
      const [one, two] = await Promise.all([bus.open(`run:${version}`, 'agent1', ['agent2']), bus.open(`run:${version}`, 'agent2', ['agent1'])])
      await two.markPublished!()
      await two.finish()
      const options = config(version, version === '0.0.22' ? SUBMIT_PATCH_TXT : SUBMIT_PR)
      const model = scriptedModel([bash('true'), bash(SUBMIT)])
      await agentWith(model, options).run(coopContext(one, { sandbox: await sandboxes.create(), options }))
      expect(contents(model.requests[0]).at(-1)).toBe(
        '[agent2 has completed their work and exited] They will not read or answer further messages.\n\n' +
          `Their submitted patch is on branch ${remote}/agent2. If your changes overlap theirs, inspect and reconcile before you submit:\n` +
          `    git fetch ${remote} && git diff HEAD...${remote}/agent2`,
      )
    }
  })
})

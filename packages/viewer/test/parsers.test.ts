import { describe, expect, it } from 'vitest'
import { fileTouches } from '../src/file-touches.js'
import type { AgentLane, Step } from '../src/model.js'
import { markSharedFiles, overlappingHunks, parsePatch } from '../src/patch-files.js'
import { failingLines } from '../src/test-output.js'
import { gitOperations, parseTrajectory, sendRecipients } from '../src/trajectory-steps.js'

describe('commands', () => {
  it('finds git pushes, fetches, pulls and merges at command positions, options before the verb allowed', () => {
    expect(gitOperations('git add -A && git -c user.name=a commit -qm x && git push team agent1')).toEqual(['push'])
    expect(gitOperations('git fetch team && git log team/agent2 --oneline')).toEqual(['fetch'])
    expect(gitOperations('cd repo; git -C /w pull --rebase\ngit merge --no-commit --no-ff team/agent2')).toEqual(['pull', 'merge'])
    expect(gitOperations('echo "do not git push" && grep push file')).toEqual([])
    expect(gitOperations('git log --grep=push')).toEqual([])
  })

  it('finds send_message recipients like the agent does, not inside other commands', () => {
    expect(sendRecipients('send_message agent2 "hi"')).toEqual(['agent2'])
    expect(sendRecipients("ls && send_message --wait agent3 <<'EOF'\nbody\nEOF")).toEqual(['agent3'])
    expect(sendRecipients('echo send_message agent2 hi')).toEqual([])
  })
})

describe('trajectories', () => {
  it('makes one step per model reply with its commands, output, usage and time; notes from teammates become deliveries', () => {
    const usage = (input: number) => ({ input_tokens: input, output_tokens: 10, cache_read_tokens: 0, cache_write_tokens: 0 })
    const parsed = parseTrajectory([
      { role: 'system', content: 's', extra: { timestamp: 100 } },
      { role: 'user', content: 'task', extra: { timestamp: 100 } },
      { role: 'assistant', content: '', extra: { timestamp: 101, cost: 0.01, usage: usage(500), actions: [{ command: 'send_message agent2 "x"' }] } },
      { role: 'tool', content: '<returncode>0</returncode>\n<output>\nMessage sent to agent2\n</output>', extra: { timestamp: 101.5, returncode: 0 } },
      { role: 'user', content: '[Message from agent2]: hello', extra: { timestamp: 102 } },
      { role: 'assistant', content: 'thinking', extra: { timestamp: 103, cost: 0.02, usage: usage(700), actions: [{ command: 'false' }] } },
      { role: 'tool', content: '<returncode>1</returncode>\n<output>\n\n</output>', extra: { timestamp: 104, returncode: 1 } },
      { role: 'exit', content: 'done', extra: { timestamp: 105, exit_status: 'Submitted' } },
    ])
    expect(
      parsed.steps.map((s) => ({
        start: s.start,
        end: s.end,
        commands: s.commands,
        returncode: s.returncode,
        input: s.tokens.input,
        cost: s.cost,
        sends: s.sends,
      })),
    ).toEqual([
      { start: 100, end: 101.5, commands: ['send_message agent2 "x"'], returncode: 0, input: 500, cost: 0.01, sends: ['agent2'] },
      { start: 102, end: 104, commands: ['false'], returncode: 1, input: 700, cost: 0.02, sends: [] },
    ])
    expect(parsed.steps[0]!.output).toBe('Message sent to agent2')
    expect(parsed.steps[1]!.submitted).toBe(true)
    expect(parsed.delivered).toEqual([{ from: 'agent2', text: 'hello', at: 102 }])
    expect(parsed.exit).toEqual({ status: 'Submitted', text: 'done' })
  })

  it("reads the replies a `send_message --wait` returned as delivered when the wait did, each up to the wait's next line", () => {
    const output = [
      'Message sent to agent2',
      '[Reply from agent2]: first line',
      'Message me when you push',
      'Message sent to agent3',
      '[Reply from agent3]: ok',
      '[Reply from agent3]: one more',
      'Message sent to agent4',
      'No reply from agent4 within 60 s.',
    ].join('\n')
    const parsed = parseTrajectory([
      { role: 'assistant', content: '', extra: { timestamp: 101, actions: [{ command: 'send_message --wait agent2 "?"' }] } },
      { role: 'tool', content: `<returncode>0</returncode>\n<output>\n${output}\n</output>`, extra: { timestamp: 140, returncode: 0 } },
    ])
    expect(parsed.delivered).toEqual([
      { from: 'agent2', text: 'first line\nMessage me when you push', at: 140, reply: true },
      { from: 'agent3', text: 'ok', at: 140, reply: true },
      { from: 'agent3', text: 'one more', at: 140, reply: true },
    ])
  })

  it('reads commands from tool_calls when there are no parsed actions, and survives junk', () => {
    const parsed = parseTrajectory([
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'bash', arguments: '{"command":"ls"}' } }] },
      'junk',
      { role: 7 },
    ])
    expect(parsed.steps.map((s) => [s.commands, s.timed])).toEqual([[['ls'], false]])
    expect(parseTrajectory(undefined).steps).toEqual([])
  })
})

const patch = (path: string, start: number, body: string[]) =>
  [`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`, `@@ -${start},3 +${start},3 @@`, ...body, ''].join('\n')

describe('patches', () => {
  it('counts lines per file, marks files both touched, and finds hunks changing the same base lines', () => {
    const a = parsePatch(patch('x.py', 10, [' keep', '-old', '+mine', ' keep']) + patch('only-a.py', 1, ['+new']))
    const b = parsePatch(patch('x.py', 10, [' keep', '-old', '+theirs', ' keep']))
    const far = parsePatch(patch('x.py', 50, [' keep', '-other', '+change', ' keep']))
    expect(a.files.map((f) => [f.path, f.added, f.removed])).toEqual([
      ['x.py', 1, 1],
      ['only-a.py', 1, 0],
    ])
    expect(markSharedFiles([a, b])).toEqual(['x.py'])
    expect(a.files.map((f) => f.shared)).toEqual([true, false])
    expect(
      overlappingHunks([
        { agent: 'agent1', patch: a },
        { agent: 'agent2', patch: b },
      ]),
    ).toEqual([
      {
        path: 'x.py',
        agents: ['agent1', 'agent2'],
        ranges: [
          [11, 11],
          [11, 11],
        ],
      },
    ])
    expect(
      overlappingHunks([
        { agent: 'agent1', patch: a },
        { agent: 'agent2', patch: far },
      ]),
    ).toEqual([])
  })
})

describe('test output', () => {
  it('lists failing tests and errors of common runners, not summary lines', () => {
    const output = [
      'tests/test_a.py::test_ok PASSED',
      'tests/test_a.py::test_bad FAILED',
      'tests/test_b.py ERROR',
      'FAILED tests/test_a.py::test_bad - AssertionError',
      '--- FAIL: TestThing (0.00s)',
      'not ok 3 - parses dates',
      ' ✕ renders (5 ms)',
      '========================= 1 failed, 1 passed in 0.1s =========================',
      '==== 0 passed, 1 error in 0.01s ====',
    ].join('\n')
    expect(failingLines(output)).toEqual([
      'tests/test_a.py::test_bad FAILED',
      'tests/test_b.py ERROR',
      'FAILED tests/test_a.py::test_bad - AssertionError',
      '--- FAIL: TestThing (0.00s)',
      'not ok 3 - parses dates',
      ' ✕ renders (5 ms)',
    ])
    expect(failingLines('all good\n3 passed')).toEqual([])
  })
})

describe('who touched which file when', () => {
  const patch = (path: string) => parsePatch(`diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-a\n+b\n`)
  const lane = (id: string, path: string, commands: string[]): AgentLane => {
    const steps = commands.map((command, index) => ({ index, start: 100 + index, end: 100 + index, commands: [command] }) as Step)
    return { id, featureIds: [1], status: null, error: null, steps, exit: null, patch: patch(path), systemPrompt: null, task: null, trajectoryFile: '' }
  }

  it("marks each step that names a patched file, as an edit when the line writes it, for every agent's files", () => {
    const lanes = [
      lane('agent1', 'textkit/slug.py', [
        'cat textkit/slug.py',
        "sed -i 's/a/b/' /workspace/repo/textkit/slug.py",
        'ls textkit/slug.pyc xtextkit/slug.py',
        "cat <<'EOF' > textkit/util.py\nx = 1\nEOF",
      ]),
      lane('agent2', 'textkit/util.py', ['grep -n def textkit/util.py', 'python - <<EOF\nopen("textkit/util.py", "w").write("y")\nEOF', 'git diff']),
    ]
    expect(fileTouches(lanes).map((t) => `${t.path} ${t.lane} #${t.step} ${t.edit ? 'edit' : 'read'} ${t.at}`)).toEqual([
      'textkit/slug.py agent1 #0 read 100',
      'textkit/slug.py agent1 #1 edit 101',
      'textkit/util.py agent1 #3 edit 103',
      'textkit/util.py agent2 #0 read 100',
      'textkit/util.py agent2 #1 edit 101',
    ])
  })

  const touched = (lanes: AgentLane[]) => fileTouches(lanes).map((t) => `${t.lane} #${t.step} ${t.edit ? 'edit' : 'read'}`)

  it('reads words as words: message text, echoed sentences and program names inside arguments are not edits', () => {
    const lanes = [
      lane('agent1', 'textkit/slug.py', [
        'send_message agent2 "I changed textkit/slug.py and I did not touch anything else; rm nothing"',
        "send_message agent2 <<'EOF'\nI will rm and touch textkit/slug.py later; cp it too\nEOF",
        'echo "do not touch textkit/slug.py" && grep -n rm textkit/slug.py',
        'grep -rn "cp " textkit/slug.py | head',
        'cat textkit/slug.py | grep touch',
        'git diff textkit/slug.py; ls -la',
      ]),
    ]
    expect(touched(lanes)).toEqual(['agent1 #2 read', 'agent1 #3 read', 'agent1 #4 read', 'agent1 #5 read'])
  })

  it('marks the commands that change the file: touch, rm, cp into it, mv, tee, perl -i, git restore, redirects', () => {
    const lanes = [
      lane('agent1', 'textkit/slug.py', [
        'touch textkit/slug.py',
        'rm -f textkit/slug.py && ls',
        'cp /tmp/slug.bak textkit/slug.py',
        'cp textkit/slug.py /tmp/slug.bak',
        'mv textkit/slug.py textkit/old.py',
        'echo x | tee -a textkit/slug.py >/dev/null',
        "perl -pi -e 's/a/b/' textkit/slug.py",
        'git checkout -- textkit/slug.py',
        'python -m pytest tests 2>&1 > /tmp/out.txt; cat textkit/slug.py >&2',
        'printf "x" >> textkit/slug.py',
      ]),
    ]
    expect(touched(lanes)).toEqual([
      'agent1 #0 edit',
      'agent1 #1 edit',
      'agent1 #2 edit',
      'agent1 #3 read',
      'agent1 #4 edit',
      'agent1 #5 edit',
      'agent1 #6 edit',
      'agent1 #7 edit',
      'agent1 #8 read',
      'agent1 #9 edit',
    ])
  })

  it('decides patches and scripts from what they change: the files a patch names, the lines the final patch adds', () => {
    const final = parsePatch(
      'diff --git a/textkit/slug.py b/textkit/slug.py\n--- a/textkit/slug.py\n+++ b/textkit/slug.py\n@@ -1 +1 @@\n-a\n+def slugify(text, sep="-"):\n',
    )
    const steps = [
      // A script that rewrites the file without an open(…, 'w') in sight, carrying the patch's new line.
      'python3 - <<\'PY\'\nfrom pathlib import Path\np = "textkit/slug.py"\nsrc = read(p)\nsave(p, src.replace("def slugify(text):", \'def slugify(text, sep="-"):\'))\nPY',
      // A script that only reads the file.
      'python3 -c "print(open(\'textkit/slug.py\').read())"',
      // A patch whose text names another file.
      "git apply <<'EOF'\n--- a/textkit/util.py\n+++ b/textkit/util.py\n@@ -1 +1 @@\n-a\n+b\nEOF",
      // A patch file that applied: the recorded final patch says what it changed.
      'git apply /workspace/feature.patch',
      'git apply --check /workspace/feature.patch',
    ]
    const agent = { ...lane('agent1', 'textkit/slug.py', steps), patch: final }
    agent.steps[3]!.returncode = 0
    expect(touched([agent])).toEqual(['agent1 #0 edit', 'agent1 #1 read', 'agent1 #3 edit'])
    agent.steps[3]!.returncode = 1
    expect(touched([agent])).toEqual(['agent1 #0 edit', 'agent1 #1 read'])
  })

  it("reads the oracle's exit status from its tool messages", () => {
    const parsed = parseTrajectory([
      { role: 'tool', content: 'git apply /w/feature.patch → exit 1\nerror: patch failed' },
      { role: 'tool', content: 'git apply /w/combined.patch → exit 0' },
    ])
    expect(parsed.steps.map((s) => [s.commands[0], s.returncode])).toEqual([
      ['git apply /w/feature.patch', 1],
      ['git apply /w/combined.patch', 0],
    ])
  })
})

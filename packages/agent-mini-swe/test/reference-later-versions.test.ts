/**
 * Option `reference_version`: the upstream release a reference-mode run follows past 0.0.14, whose
 * agent-visible changes a 0.0.14-shaped file cannot tell. Each behaviour names the release and the
 * upstream source it follows (CooperBench at 04846de, 0.0.28's CHANGELOG). The templates here are our
 * own; upstream's files are held byte for byte under 0.0.14 by upstream-configs.test.ts.
 */
import { MemoryBus } from '@cooperbench/builtins'
import { isCooperbenchError, type Sandbox } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import { readAgentConfig } from '../src/agent/agent-config.js'
import { parseOptions } from '../src/agent/options.js'
import { readReferenceProtocol } from '../src/reference/config.js'
import { laterReleaseNotice } from '../src/reference/preflight.js'
import { referenceProtocol } from '../src/reference/reference-protocol.js'
import { agentWith, bash, contents, coopContext, reply, runContext, SUBMIT, scriptedModel, toolCall, fixtureSandboxes } from './fakes.js'

const SUBMIT_0_0_14 = '## Submit\nWrite `git diff > patch.txt`, then run `echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT`.'
const SUBMIT_0_0_13 = '## Submit\nRun `echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && cat patch.txt`.'
/** How a file of 0.0.23 on asks for the submission (our text; upstream's files of those releases are the user's). */
const SUBMIT_PULL_REQUEST =
  '## Submit\nCommit, `git push origin HEAD:<your id>`, `gh pr create --title T --body B`, then `echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT`.'

/** Releases that judge a pull request, whose files ask for one. */
const PULL_REQUEST_VERSIONS = new Set(['0.0.23', '0.0.24', '0.0.25', '0.0.26', '0.0.27', '0.0.28'])

/**
 * A reference-format configuration with `extra` options: shaped as the chosen release's files are (patch.txt through
 * 0.0.22, a pull request from 0.0.23) unless `submit` says otherwise.
 */
function config(
  extra: Record<string, unknown> = {},
  submit = PULL_REQUEST_VERSIONS.has(String(extra['reference_version'])) ? SUBMIT_PULL_REQUEST : SUBMIT_0_0_14,
) {
  return {
    agent: { system_template: 'sys', instance_template: `{{ task }}\n${submit}` },
    model: { cost_tracking: 'ignore_errors', observation_template: '{{ output.returncode }}|{{ output.output }}|{{ output.exception_info }}' },
    ...extra,
  }
}

function refusal(options: Record<string, unknown>): { code: string; message: string; hint: string | undefined } {
  try {
    readAgentConfig(options)
  } catch (error) {
    if (!isCooperbenchError(error)) throw error
    return { code: error.code, message: error.message, hint: error.hint }
  }
  throw new Error('accepted')
}

describe('choosing the reference version (issue 73)', () => {
  it('defaults to the file its own version: 0.0.14 for a 0.0.14-shaped file, 0.0.12–0.0.13 for theirs', () => {
    expect(readReferenceProtocol(config(), {}).version).toBe('0.0.14')
    expect(readReferenceProtocol(config({}, SUBMIT_0_0_13), {}).version).toBe('0.0.12–0.0.13')
    expect(readReferenceProtocol(config({ reference_version: '0.0.13' }, SUBMIT_0_0_13), {}).version).toBe('0.0.12–0.0.13')
  })

  it('takes each later version offered, at the top level or in the `config:` block (the rest wins)', () => {
    for (const version of ['0.0.14', '0.0.22', '0.0.23', '0.0.24', '0.0.25', '0.0.26', '0.0.27', '0.0.28']) {
      expect(readReferenceProtocol(config({ reference_version: version }), {}).version).toBe(version)
    }
    expect(readReferenceProtocol({ config: config({ reference_version: '0.0.25' }) }, {}).version).toBe('0.0.25')
    expect(readReferenceProtocol({ config: config({ reference_version: '0.0.25' }), reference_version: '0.0.27' }, {}).version).toBe('0.0.27')
  })

  it('refuses an unknown version naming the accepted ones, one older than the file, and a later one for a 0.0.12–0.0.13 file', () => {
    for (const unknown of ['0.0.21', '0.1.0', 'latest']) {
      const refused = refusal(config({ reference_version: unknown }))
      expect(refused.code).toBe('CONFIG_INVALID')
      expect(refused.message).toContain(`reference_version "${unknown}" is not a version`)
      expect(refused.hint).toContain('Accepted: 0.0.12, 0.0.13, 0.0.14, 0.0.22, 0.0.23, 0.0.24, 0.0.25, 0.0.26, 0.0.27, 0.0.28')
    }
    const older = refusal(config({ reference_version: '0.0.13' }))
    expect(older.message).toContain('reference_version 0.0.13 is older than the configuration file (0.0.14')
    expect(older.hint).toBe('Accepted for this file: 0.0.14, 0.0.22.')
    expect(refusal(config({ reference_version: '0.0.25' }, SUBMIT_0_0_13)).message).toBe(
      'reference_version 0.0.25 cannot run a 0.0.12–0.0.13 configuration file',
    )
  })

  it('is refused with our own profile, where it would have no effect', () => {
    const refused = refusal({ step_limit: 3, reference_version: '0.0.27' })
    expect(refused.message).toBe("reference_version applies to the reference's configuration format only")
  })

  it("is recorded in the fingerprint's prompt source when it is not the file's own; the default keeps today's digest", () => {
    const digest = (options: Record<string, unknown>) => readReferenceProtocol(options, {}).digest
    expect(digest(config({ reference_version: '0.0.14' }))).toBe(digest(config()))
    expect(digest(config({ reference_version: '0.0.25' }))).not.toBe(digest(config()))
    expect(digest(config({ reference_version: '0.0.27' }))).not.toBe(digest(config({ reference_version: '0.0.25' })))
  })

  it('is said once per run when later than 0.0.14, with what of it is not followed', async () => {
    expect(laterReleaseNotice('0.0.14')).toBeNull()
    expect(laterReleaseNotice('0.0.12–0.0.13')).toBeNull()
    const lines: string[] = []
    const logger = { ...silentLogger, info: (line: string) => lines.push(line) }
    const later = config({ reference_version: '0.0.27' })
    const options = { ...later, agent: { ...later.agent, step_limit: 1 } }
    await agentWith(scriptedModel([bash('true')]), options).run(runContext({ options, logger }))
    expect(lines.filter((line) => line.includes('reference_version'))).toEqual([laterReleaseNotice('0.0.27')])
    expect(lines[0]).toContain("upstream 0.0.27's agent-visible changes are in force")
    expect(lines[0]).toContain("a waiting sender's message marked BLOCKED (0.0.27)")
    expect(lines[0]).toContain("0.0.22's messaging (a send to a colleague who exited is refused")
    expect(lines[0]).toContain("0.0.23's submission through a pull request")
    expect(laterReleaseNotice('0.0.22')).toContain("0.0.22's publication of each agent's patch.txt to team/<agent> at its exit")
  })
})

describe('0.0.25: the per-command timeout (CHANGELOG 0.0.25, "command_timeout defaults to 300s")', () => {
  const timeoutOf = (options: Record<string, unknown>) =>
    referenceProtocol(readReferenceProtocol(options, {}), parseOptions(options), runContext()).runner.timeoutSeconds

  it('defaults to 300 s from 0.0.25 and stays 3600 s under 0.0.14; command_timeout_seconds still wins, flat or in `agent:`', () => {
    expect(timeoutOf(config())).toBe(3600)
    expect(timeoutOf(config({ reference_version: '0.0.25' }))).toBe(300)
    expect(timeoutOf(config({ reference_version: '0.0.28' }))).toBe(300)
    expect(timeoutOf(config({ reference_version: '0.0.25', command_timeout_seconds: 3600 }))).toBe(3600)
    const later = config({ reference_version: '0.0.27' })
    expect(timeoutOf({ ...later, agent: { ...later.agent, command_timeout_seconds: 20 } })).toBe(20)
    expect(timeoutOf(config({ reference_version: '0.0.24' }))).toBe(3600)
  })
})

/** Upstream 0.0.28's directories, in its order (`_TOOLCHAIN_PATH`, environments/modal.py at 04846de). */
const TOOLCHAIN_DIRS = '/usr/local/cargo/bin:/usr/local/go/bin:/root/.cargo/bin:/root/go/bin:/usr/local/bin'

// Upstream's pull request for this change was not found (GitHub's threads as indexed here): the CHANGELOG entry and the code are the source.
describe('0.0.28: toolchains on PATH (CHANGELOG 0.0.28, "Cargo, Go and local bins are now prepended for every command"; environments/modal.py at 04846de)', () => {
  const argvOf = (options: Record<string, unknown>) =>
    referenceProtocol(readReferenceProtocol(options, {}), parseOptions(options), runContext()).runner.argv('cargo check')

  it("puts the directories before the login shell's PATH, on the command's own line, from 0.0.28 only", () => {
    expect(argvOf(config({ reference_version: '0.0.28' })).at(-1)).toBe(`export PATH="${TOOLCHAIN_DIRS}:$PATH"; cargo check`)
    for (const version of ['0.0.14', '0.0.25', '0.0.27']) expect(argvOf(config({ reference_version: version })).at(-1)).toBe('cargo check')
  })

  it('is named among what the run follows in its notice, and no longer among what it does not', () => {
    expect(laterReleaseNotice('0.0.28')).toContain("; cargo's, go's and /usr/local/bin before every command's PATH (0.0.28); see docs/")
    expect(laterReleaseNotice('0.0.27')).not.toContain('PATH')
  })
})

const sandboxes = fixtureSandboxes()

/** The observation the model read after its first command (the last message of its second request). */
async function firstObservation(options: Record<string, unknown>, command: string, sandbox: Sandbox, mailbox?: Parameters<typeof coopContext>[0]) {
  const model = scriptedModel([bash(command), bash(SUBMIT)])
  const ctx = mailbox ? coopContext(mailbox, { sandbox, options }) : runContext({ sandbox, options })
  await agentWith(model, options).run(ctx)
  return contents(model.requests[1]).at(-1)
}

describe.skipIf(sandboxes.skip)('a timed-out command, in a real sandbox', () => {
  const HANGS = 'echo partial; sleep 30'

  it('0.0.25 on: return code 124 and the notice after the partial output (upstream environments/modal.py `execute`, 04846de)', async () => {
    const options = config({ reference_version: '0.0.25', command_timeout_seconds: 1 })
    const seen = await firstObservation(options, HANGS, await sandboxes.create())
    expect(seen).toBe('124|partial\n\n[cooperbench] command killed after 1s. Re-run it in a form that terminates.|')
  })

  it("0.0.14 (the default): unchanged, return code -1 and the exception's text", async () => {
    const options = config({ command_timeout_seconds: 1 })
    const seen = await firstObservation(options, HANGS, await sandboxes.create())
    expect(seen).toBe('-1|partial\n|An error occurred while executing the command: the command timed out after 1 seconds')
  })
})

describe.skipIf(sandboxes.skip)('0.0.28: toolchains on PATH, in a real sandbox', () => {
  it("a command sees them first, then the PATH its login shell set; 0.0.27 sees the login shell's alone", async () => {
    const loginPath = (await firstObservation(config({ reference_version: '0.0.27' }), 'echo "$PATH"', await sandboxes.create())) ?? ''
    expect(loginPath.startsWith(`0|${TOOLCHAIN_DIRS}`)).toBe(false)
    const seen = await firstObservation(config({ reference_version: '0.0.28' }), 'echo "$PATH"', await sandboxes.create())
    // The gh shim's folder (the local backend's stand-in for upstream's /usr/local/bin, 0.0.23 on) stays first on both.
    const shim = '/tmp/.cooperbench-bin:'
    expect(seen).toBe(loginPath.replace(new RegExp(`^0\\|(${shim})?`), (_, s = '') => `0|${s}${TOOLCHAIN_DIRS}:`))
  })
})

/** Upstream 0.0.27's answer (agents/default.py `execute_actions`, 04846de), rendered by the template above. */
const PARSE_ERROR = `1|send_message: could not parse that call, so nothing was sent.
Use one of:
  send_message [--wait] <agent> <<'MSG'
  your text
  MSG
  send_message [--wait] <agent> "your text"
The message body is required, and --wait takes no argument.|`

/** The CHANGELOG's examples of 0.0.27 ("bare --wait with no body, unterminated heredoc, body via < file, invented flags like -t 60"). */
const MALFORMED = {
  'bare --wait with no body': 'touch ran.txt && send_message --wait agent2',
  'an unterminated heredoc': "touch ran.txt && send_message agent2 <<'MSG'\nthe body, never closed",
  'the body via < file': 'touch ran.txt && send_message agent2 < note.txt',
  'an invented flag -t 60': 'touch ran.txt && send_message -t 60 agent2 "are you done?"',
}

describe.skipIf(sandboxes.skip)('0.0.27: a malformed send_message (CHANGELOG 0.0.27, "a parse error naming the accepted forms")', () => {
  async function coopRun(options: Record<string, unknown>, command: string) {
    const bus = new MemoryBus()
    const [one, two] = await Promise.all([bus.open('run:v', 'agent1', ['agent2']), bus.open('run:v', 'agent2', ['agent1'])])
    const sandbox = await sandboxes.create()
    const seen = await firstObservation(options, command, sandbox, one)
    const ran = (await sandbox.exec(['bash', '-c', 'test -e ran.txt'], { cwd: '/workspace/repo' })).exitCode === 0
    return { seen, ran, received: await two.receive() }
  }

  for (const [form, command] of Object.entries(MALFORMED)) {
    it(`${form}: answered with upstream's parse error, return code 1; nothing sent, nothing run`, async () => {
      const { seen, ran, received } = await coopRun(config({ reference_version: '0.0.27' }), command)
      expect(seen).toBe(PARSE_ERROR)
      expect(ran).toBe(false)
      expect(received).toEqual([])
    })
  }

  it('a well-formed send is still delivered and the rest of the command run', async () => {
    const { seen, ran, received } = await coopRun(config({ reference_version: '0.0.27' }), 'touch ran.txt && send_message agent2 "are you done?"')
    expect(seen).toBe('0|Message sent to agent2\n|')
    expect(ran).toBe(true)
    expect(received.map((m) => m.content)).toEqual(['are you done?'])
  })

  it('0.0.14 (the default): the same call goes to bash and fails there with return code 127', async () => {
    const { seen, ran, received } = await coopRun(config(), MALFORMED['an invented flag -t 60'])
    expect(seen).toMatch(/^127\|.*send_message: command not found\n\|$/s)
    expect(ran).toBe(true)
    expect(received).toEqual([])
  })

  it('without messaging (solo), 0.0.27 runs it in bash as upstream does (its check needs a messaging connector)', async () => {
    const seen = await firstObservation(config({ reference_version: '0.0.27' }), MALFORMED['bare --wait with no body'], await sandboxes.create())
    expect(seen).toMatch(/^127\|.*send_message: command not found\n\|$/s)
  })
})

/**
 * Upstream 0.0.22's messaging, followed from reference_version 0.0.25 (CHANGELOG 0.0.22: "`send()` now returns `False` for
 * a departed peer …", "`send_and_wait` … ends the wait as soon as the peer replies **or exits**", "Peers are told once, in
 * context, when a colleague finishes"; texts from agents/default.py `_peer_gone_result`, `_handle_send_message`,
 * `_announce_departed_peers`, `_peer_work_pointer` at 04846de). agent2 is played through its own mailbox on the same bus;
 * its `finish()` is what the harness calls when its seat ends (upstream's `mark_exited`).
 */
describe.skipIf(sandboxes.skip)("0.0.22's messaging under reference_version 0.0.25 on, in a real sandbox", () => {
  const POINTER =
    'Their work could NOT be published to origin/agent2, so that branch does not reflect what they submitted — do not rely on it. ' +
    'Proceed on your own judgement and keep your changes as self-contained as you can.'
  const GONE = `agent2 has already completed their work and exited. Your message was NOT delivered and no reply will come — do not send further messages to them.\n\n${POINTER}`
  const NOTICE = `[agent2 has completed their work and exited] They will not read or answer further messages.\n\n${POINTER}`

  async function pair() {
    const bus = new MemoryBus()
    const [one, two] = await Promise.all([bus.open('run:l', 'agent1', ['agent2']), bus.open('run:l', 'agent2', ['agent1'])])
    return { bus, one, two, sandbox: await sandboxes.create() }
  }

  it("a send to a peer that has exited is not delivered: in a command, return code 0 (the rest runs), upstream's text", async () => {
    const { bus, one, two, sandbox } = await pair()
    await two.finish()
    const seen = await firstObservation(config({ reference_version: '0.0.25' }), 'send_message agent2 "still there?" && echo rest', sandbox, one)
    expect(seen).toBe(`0|${GONE}\nrest\n|`)
    expect(await bus.transcript('run:l')).toEqual([])
  })

  it('with upstream\'s send_message tool, the same text and a non-zero return code (CHANGELOG 0.0.22: "a non-zero result naming the cause and the recovery path")', async () => {
    const { one, two, sandbox } = await pair()
    await two.finish()
    const options = config({ reference_version: '0.0.25' })
    const model = scriptedModel([reply([toolCall('send_message', JSON.stringify({ recipient: 'agent2', content: 'hi' }))]), bash(SUBMIT)])
    await agentWith(model, options).run(coopContext(one, { sandbox, options }))
    expect(contents(model.requests[1]).at(-1)).toBe(`1|${GONE}|`)
  })

  it('--wait returns with the reply as soon as it comes', async () => {
    const { one, two, sandbox } = await pair()
    const answer = (async () => {
      const [question] = await two.waitForMessages('agent1', 20_000)
      await two.send('agent1', `re: ${question?.content}`)
    })()
    const started = Date.now()
    const seen = await firstObservation(config({ reference_version: '0.0.25' }), 'send_message --wait agent2 "which file?"', sandbox, one)
    await answer
    expect(seen).toBe('0|Message sent to agent2\n\n[Reply from agent2]: re: which file?|')
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it("--wait ends when the peer exits, without its reply, saying so (not after upstream's 60 s)", async () => {
    const { one, two, sandbox } = await pair()
    const leave = (async () => {
      await two.waitForMessages('agent1', 20_000)
      await two.finish()
    })()
    const started = Date.now()
    const options = config({ reference_version: '0.0.27' })
    const model = scriptedModel([bash("send_message --wait agent2 <<'MSG'\nare you done?\nMSG"), bash(SUBMIT)])
    await agentWith(model, options).run(coopContext(one, { sandbox, options }))
    await leave
    // The observation, then (upstream's next step) the departure notice.
    expect(contents(model.requests[1]).slice(-2)).toEqual([
      `0|Message sent to agent2\n\nNo reply: agent2 has since completed their work and exited.\n${POINTER}|`,
      NOTICE,
    ])
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it('the remaining agent is told once, in context, when its peer exits', async () => {
    const { one, two, sandbox } = await pair()
    const options = config({ reference_version: '0.0.28' })
    const model = scriptedModel([
      async () => {
        await two.finish()
        return bash('true')
      },
      bash('true'),
      bash(SUBMIT),
    ])
    await agentWith(model, options).run(coopContext(one, { sandbox, options }))
    expect(contents(model.requests[0])).not.toContain(NOTICE)
    expect(contents(model.requests[1]).at(-1)).toBe(NOTICE)
    expect(contents(model.requests[2]).filter((m) => m === NOTICE)).toHaveLength(1)
  })

  it('0.0.14 (the default): as before — "sent" to a departed peer (the message recorded), --wait a plain send, no notice', async () => {
    const { bus, one, two, sandbox } = await pair()
    await two.finish()
    const options = config()
    const model = scriptedModel([bash('send_message --wait agent2 "still there?"'), bash(SUBMIT)])
    await agentWith(model, options).run(coopContext(one, { sandbox, options }))
    expect(contents(model.requests[1]).at(-1)).toBe('0|Message sent to agent2|')
    expect(contents(model.requests[1]).join('\n')).not.toContain('has completed their work and exited')
    expect((await bus.transcript('run:l')).map((m) => m.content)).toEqual(['still there?'])
  })
})

/**
 * Upstream 0.0.27 (CHANGELOG 0.0.27, "Delivery says when the sender is blocked": `send_and_wait` publishes that it waits, TTL the
 * timeout; the receiver renders `[Message from agent1 — agent1 is BLOCKED waiting for your reply …]`; the text from
 * agents/default.py `step`, 04846de). Both agents run, each in its own real sandbox, on one bus.
 */
describe.skipIf(sandboxes.skip)("0.0.27's BLOCKED marker, two agents in real sandboxes", () => {
  const BLOCKED =
    '[Message from agent1 — agent1 is BLOCKED waiting for your reply and cannot continue until you answer. ' +
    'Reply with send_message before your next command.]: which file do you edit?'

  async function exchange(version: string) {
    const bus = new MemoryBus()
    const [one, two] = await Promise.all([bus.open('run:b', 'agent1', ['agent2']), bus.open('run:b', 'agent2', ['agent1'])])
    const [sandbox1, sandbox2] = await Promise.all([sandboxes.create(), sandboxes.create()])
    const options = config({ reference_version: version })
    let agent2Started: () => void = () => {}
    const started = new Promise<void>((resolve) => {
      agent2Started = resolve
    })
    // agent2's first step waits until agent1's question is in its inbox; its second step sees it and answers.
    const receiver = scriptedModel([
      async () => {
        agent2Started()
        for (let tries = 0; tries < 200 && !(await bus.transcript('run:b')).length; tries++) await new Promise((r) => setTimeout(r, 50))
        return bash('true')
      },
      bash('send_message agent1 "a.py"'),
      bash(SUBMIT),
    ])
    const sender = scriptedModel([
      async () => {
        await started
        return bash('send_message --wait agent2 "which file do you edit?"')
      },
      bash(SUBMIT),
    ])
    await Promise.all([
      agentWith(receiver, options).run(coopContext(two, { sandbox: sandbox2, options })),
      agentWith(sender, options).run(coopContext(one, { sandbox: sandbox1, options })),
    ])
    return { received: contents(receiver.requests[1]).at(-1), answered: contents(sender.requests[1]).at(-1) }
  }

  it("0.0.27: the waiting sender's message reads BLOCKED at the receiver, and the sender's wait ends with the reply", async () => {
    const { received, answered } = await exchange('0.0.27')
    expect(received).toBe(BLOCKED)
    expect(answered).toBe('0|Message sent to agent2\n\n[Reply from agent2]: a.py|')
  })

  it('0.0.25 (before 0.0.27): the same exchange reads as a plain message', async () => {
    const { received, answered } = await exchange('0.0.25')
    expect(received).toBe('[Message from agent1]: which file do you edit?')
    expect(answered).toBe('0|Message sent to agent2\n\n[Reply from agent2]: a.py|')
  })
})

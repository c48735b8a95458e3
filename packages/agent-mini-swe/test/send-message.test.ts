import { MemoryBus } from '@cooperbench/builtins'
import { describe, expect, it } from 'vitest'
import { deliverSends, parseSendMessages } from '../src/agent/send-message.js'

describe('parseSendMessages: heredoc form', () => {
  it('reads a quoted TAG heredoc and leaves nothing to run', () => {
    const parsed = parseSendMessages("send_message agent2 <<'MSG'\nI take loaders.py lines 170-230.\nMSG")
    expect(parsed).toEqual({ sends: [{ recipient: 'agent2', body: 'I take loaders.py lines 170-230.', wait: false }], remaining: '', unparsed: false })
  })

  it('accepts TAG bare, single-quoted and double-quoted', () => {
    for (const tag of ['EOF', "'EOF'", '"EOF"']) {
      expect(parseSendMessages(`send_message agent1 <<${tag}\nhello\nEOF`).sends).toEqual([{ recipient: 'agent1', body: 'hello', wait: false }])
    }
  })

  it('keeps a multi-line body with special characters verbatim', () => {
    const body = 'line 1 "quoted" and \'single\'\n$HOME `backticks` \\ && ; | <<EOF\n  indented EOF not at start'
    expect(parseSendMessages(`send_message agent2 <<'EOF'\n${body}\nEOF`).sends[0]?.body).toBe(body)
  })

  it('accepts an empty body', () => {
    expect(parseSendMessages("send_message agent2 <<'EOF'\nEOF").sends).toEqual([{ recipient: 'agent2', body: '', wait: false }])
  })

  it('sees --wait before or after the recipient', () => {
    expect(parseSendMessages("send_message --wait agent2 <<'M'\nready?\nM").sends[0]).toEqual({ recipient: 'agent2', body: 'ready?', wait: true })
    expect(parseSendMessages("send_message agent2 --wait <<'M'\nready?\nM").sends[0]).toEqual({ recipient: 'agent2', body: 'ready?', wait: true })
  })

  it('runs the commands around a heredoc send', () => {
    const parsed = parseSendMessages("git diff --stat && send_message agent2 <<'EOF'\ndone\nEOF\npython -m pytest -q")
    expect(parsed.sends).toHaveLength(1)
    expect(parsed.remaining).toBe('git diff --stat\npython -m pytest -q')
  })

  it('keeps a command written after the TAG on its line', () => {
    expect(parseSendMessages("send_message agent2 <<'EOF' && ls\nhi\nEOF").remaining).toBe('ls')
  })

  it('finds several heredoc sends, in order', () => {
    const parsed = parseSendMessages("send_message agent2 <<'A'\nfirst\nA\nsend_message agent3 <<'B'\nsecond\nB")
    expect(parsed.sends.map((s) => [s.recipient, s.body])).toEqual([
      ['agent2', 'first'],
      ['agent3', 'second'],
    ])
    expect(parsed.remaining).toBe('')
  })

  it('ignores quoted forms once a heredoc send was found (as the reference does)', () => {
    const parsed = parseSendMessages('send_message agent2 <<\'EOF\'\nbody\nEOF\nsend_message agent2 "quoted"')
    expect(parsed.sends.map((s) => s.body)).toEqual(['body'])
    expect(parsed.unparsed).toBe(true)
  })
})

describe('parseSendMessages: quoted forms', () => {
  it('reads double and single quotes', () => {
    expect(parseSendMessages('send_message agent2 "hi there"').sends).toEqual([{ recipient: 'agent2', body: 'hi there', wait: false }])
    expect(parseSendMessages("send_message agent2 'hi there'").sends).toEqual([{ recipient: 'agent2', body: 'hi there', wait: false }])
  })

  it('sees --wait before or after the recipient', () => {
    expect(parseSendMessages('send_message --wait agent1 "ok?"').sends[0]?.wait).toBe(true)
    expect(parseSendMessages('send_message agent1 --wait "ok?"').sends[0]?.wait).toBe(true)
  })

  it('runs the rest of `send && ls`, `ls && send` and `send; ls`', () => {
    expect(parseSendMessages('send_message agent2 "hi" && ls').remaining).toBe('ls')
    expect(parseSendMessages('ls && send_message agent2 "hi"').remaining).toBe('ls')
    expect(parseSendMessages("send_message agent2 'hi'; ls -la").remaining).toBe('ls -la')
    expect(parseSendMessages('cd src && send_message agent2 "hi" && ls').remaining).toBe('cd src && ls')
    expect(parseSendMessages('make && send_message agent2 "ok" || echo failed').remaining).toBe('make || echo failed')
  })

  it('keeps several quoted sends in their order, whatever the quotes', () => {
    const parsed = parseSendMessages(`send_message agent2 'one' && send_message agent2 "two" && send_message agent3 'three'`)
    expect(parsed.sends.map((s) => s.body)).toEqual(['one', 'two', 'three'])
    expect(parsed.remaining).toBe('')
  })

  it('unescapes double-quoted bodies as bash would, and keeps single-quoted ones literal', () => {
    expect(parseSendMessages(String.raw`send_message agent2 "say \"hi\" for \$5 \n"`).sends[0]?.body).toBe(String.raw`say "hi" for $5 \n`)
    expect(parseSendMessages(String.raw`send_message agent2 'a \"b\" $c'`).sends[0]?.body).toBe(String.raw`a \"b\" $c`)
  })
})

describe('parseSendMessages: what is not a send', () => {
  it('leaves commands that merely mention send_message alone', () => {
    for (const command of ['echo send_message agent2 "hi"', 'grep -rn send_message .', 'echo "use send_message agent2 \'x\'"']) {
      expect(parseSendMessages(command)).toEqual({ sends: [], remaining: command, unparsed: false })
    }
  })

  it('flags a send_message it cannot read, such as an unquoted body', () => {
    expect(parseSendMessages('send_message agent2 hello there').unparsed).toBe(true)
    expect(parseSendMessages('ls && send_message agent2').unparsed).toBe(true)
  })
})

describe('deliverSends', () => {
  const open = async () => {
    const bus = new MemoryBus()
    return {
      agent1: await bus.open('run:1', 'agent1', ['agent2']),
      agent2: await bus.open('run:1', 'agent2', ['agent1']),
    }
  }
  const signal = new AbortController().signal

  it('sends through the mailbox and reports each send', async () => {
    const { agent1, agent2 } = await open()
    const report = await deliverSends(agent1, [{ recipient: 'agent2', body: 'hello', wait: false }], { replyTimeoutMs: 1000, signal })
    expect(report).toEqual({ lines: ['Message sent to agent2'], failed: false })
    expect((await agent2.receive()).map((m) => m.content)).toEqual(['hello'])
  })

  it('reports an unknown recipient or oneself as a line, not an exception', async () => {
    const { agent1 } = await open()
    const report = await deliverSends(
      agent1,
      [
        { recipient: 'agent9', body: 'x', wait: false },
        { recipient: 'agent1', body: 'x', wait: false },
      ],
      { replyTimeoutMs: 1000, signal },
    )
    expect(report.failed).toBe(true)
    expect(report.lines).toEqual([
      'Message not sent: "agent9" is not a teammate (you can message: agent2).',
      'Message not sent: "agent1" is not a teammate (you can message: agent2).',
    ])
  })

  it('tells the sender when the recipient has already finished', async () => {
    const { agent1, agent2 } = await open()
    await agent2.finish()
    const report = await deliverSends(agent1, [{ recipient: 'agent2', body: 'late', wait: true }], { replyTimeoutMs: 5000, signal })
    expect(report.lines).toEqual(['Message sent to agent2', 'agent2 has already finished and will not read this message.'])
  })

  it('--wait returns the reply and leaves other messages queued', async () => {
    const bus = new MemoryBus()
    const a1 = await bus.open('run:2', 'agent1', ['agent2', 'agent3'])
    const a2 = await bus.open('run:2', 'agent2', ['agent1', 'agent3'])
    const a3 = await bus.open('run:2', 'agent3', ['agent1', 'agent2'])
    await a3.send('agent1', 'unrelated')
    setTimeout(() => void a2.send('agent1', 'yes, go ahead'), 20)
    const report = await deliverSends(a1, [{ recipient: 'agent2', body: 'may I?', wait: true }], { replyTimeoutMs: 5000, signal })
    expect(report.lines).toEqual(['Message sent to agent2', '[Reply from agent2]: yes, go ahead'])
    expect((await a1.receive()).map((m) => m.content)).toEqual(['unrelated'])
  })

  it('--wait says so when no reply arrives in time', async () => {
    const { agent1 } = await open()
    const report = await deliverSends(agent1, [{ recipient: 'agent2', body: 'there?', wait: true }], { replyTimeoutMs: 50, signal })
    expect(report.lines).toEqual(['Message sent to agent2', 'No reply from agent2 within 0.05 s.'])
  })
})

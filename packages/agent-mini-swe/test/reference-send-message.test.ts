import { describe, expect, it } from 'vitest'
import { parseReferenceSends, stripReferenceSends } from '../src/reference/send-message.js'

/** The reference's (0.0.14) reading of `send_message` in a bash command, case by case. */
describe("send_message as the reference's agent reads it", () => {
  it('takes heredoc sends anywhere in the command, --wait before or after the recipient', () => {
    const command = "send_message --wait agent2 <<'MSG'\nline one\nline two\nMSG\necho done"
    expect(parseReferenceSends(command)).toEqual([{ recipient: 'agent2', body: 'line one\nline two', wait: true }])
    expect(stripReferenceSends(command)).toBe('echo done')
    expect(parseReferenceSends('echo start; send_message agent1 --wait <<EOF\nhi\nEOF')).toEqual([{ recipient: 'agent1', body: 'hi', wait: true }])
  })

  it('takes quoted sends only when there is no heredoc send, double-quoted ones first', () => {
    const command = `send_message agent2 'single' && send_message agent2 "double" && ls`
    expect(parseReferenceSends(command)).toEqual([
      { recipient: 'agent2', body: 'double', wait: false },
      { recipient: 'agent2', body: 'single', wait: false },
    ])
    // The reference removes one leading `&&` only: what is left is a syntax error, which the model then sees.
    expect(stripReferenceSends(command)).toBe('&& ls')
    expect(parseReferenceSends(`send_message agent2 <<'M'\nx\nM\nsend_message agent2 "ignored"`)).toEqual([{ recipient: 'agent2', body: 'x', wait: false }])
  })

  it('leaves a send it cannot read in the command, which then runs (and fails) in the sandbox', () => {
    expect(parseReferenceSends('send_message agent2 unquoted words')).toEqual([])
    expect(stripReferenceSends('send_message agent2 unquoted words')).toBe('send_message agent2 unquoted words')
  })

  it('tidies dangling and doubled operators as the reference does', () => {
    expect(stripReferenceSends('ls && send_message agent2 "x" && pwd')).toBe('ls && pwd')
    expect(stripReferenceSends('ls && send_message agent2 "x"')).toBe('ls')
    expect(stripReferenceSends('ls || send_message agent2 "x" || pwd')).toBe('ls || pwd')
    expect(stripReferenceSends('send_message agent2 "x"')).toBe('')
  })
})

/**
 * Configuration files of the reference's older versions: their templates tell the agent a
 * submission rule 0.0.14 no longer evaluates, so they are refused before any run, naming the
 * version. The templates here are our own text, with each version's submit command.
 */
import { describe, expect, it } from 'vitest'
import { isCooperbenchError } from '@cooperbench/spec'
import { olderReferenceVersion, readReferenceProtocol } from '../src/reference/config.js'

const model = { cost_tracking: 'ignore_errors', observation_template: '{{ output.output }}' }
const withInstance = (instance: string) => ({ agent: { system_template: 'You work on {{ task }}.', instance_template: instance }, model })

/** The submission section each version's templates end with (the command is the fact that tells them apart). */
const V0_0_14 = '## Submit\nWrite your diff with `git diff > patch.txt`, check it, then run:\n```bash\necho COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n```'
const V0_0_13 =
  '## Submit\nWrite your diff with `git diff > patch.txt`, check it, then run:\n```bash\necho COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && cat patch.txt\n```'
const V0_0_11 = '## Submit\nWhen done, run `echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT`; your working tree is your patch.'

function refusal(options: unknown): { code: string; message: string; hint: string | undefined } {
  try {
    readReferenceProtocol(options, {})
  } catch (error) {
    if (!isCooperbenchError(error)) throw error
    return { code: error.code, message: error.message, hint: error.hint }
  }
  throw new Error('accepted')
}

describe('reference configuration files of versions before 0.0.14', () => {
  it('recognises each version by its submit command', () => {
    expect(olderReferenceVersion({ instance_template: V0_0_14 })).toBeNull()
    expect(olderReferenceVersion({ instance_template: V0_0_13 })).toBe('0.0.12–0.0.13')
    expect(olderReferenceVersion({ system_template: V0_0_13.replace(' && ', '  &&  ').replace('cat patch.txt', 'cat ./patch.txt') })).toBe('0.0.12–0.0.13')
    expect(olderReferenceVersion({ system_template: V0_0_11 })).toBe('0.0.11 or earlier')
    // A file that never names the marker is no version's: 0.0.14's rule applies, as for any file the reference ran.
    expect(olderReferenceVersion({ system_template: 'sys', instance_template: '{{ task }}' })).toBeNull()
  })

  it('a 0.0.14 file is read; a 0.0.12–0.0.13 file is refused naming its version and what to do', () => {
    expect(readReferenceProtocol(withInstance(`{{ task }}\n${V0_0_14}`), {}).stepLimit).toBe(0)
    const older = refusal(withInstance(`{{ task }}\n${V0_0_13}`))
    expect(older.code).toBe('CONFIG_INVALID')
    expect(older.message).toMatch(
      /from the reference's 0\.0\.12–0\.0\.13 .*evaluated the text printed after the marker.*follows 0\.0\.14, which evaluates patch\.txt alone/,
    )
    expect(older.hint).toMatch(/0\.0\.14 config\/coop\.yaml or config\/solo\.yaml/)
    // In the `config:` block the reference's adapter merges from 0.0.12 on, too.
    expect(refusal({ config: withInstance(`{{ task }}\n${V0_0_13}`) }).message).toMatch(/0\.0\.12–0\.0\.13/)
  })

  it('a 0.0.11-or-earlier file (the marker, never patch.txt) is refused: those versions evaluated git diff', () => {
    const older = refusal(withInstance(`{{ task }}\n${V0_0_11}`))
    expect(older.code).toBe('CONFIG_INVALID')
    expect(older.message).toMatch(/from the reference's 0\.0\.11 or earlier .*evaluated `git diff` of the working tree/)
  })
})

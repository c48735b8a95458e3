/**
 * Configuration files of the reference's older versions: their templates tell the agent a
 * submission rule 0.0.14 no longer evaluates. 0.0.12–0.0.13 files are followed (the submission
 * after the marker is evaluated), 0.0.11-or-earlier ones refused before any run, naming the
 * version. The templates here are our own text, with each version's submit command.
 */
import { isCooperbenchError, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { agentWith, bash, runContext, SUBMIT, scriptedModel, fixtureSandboxes } from './fakes.js'
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

  it('a 0.0.14 file evaluates patch.txt; a 0.0.12–0.0.13 file the submission after the marker (also in the `config:` block)', () => {
    expect(readReferenceProtocol(withInstance(`{{ task }}\n${V0_0_14}`), {}).submission).toBe('patch.txt')
    expect(readReferenceProtocol(withInstance('{{ task }}'), {}).submission).toBe('patch.txt')
    expect(readReferenceProtocol(withInstance(`{{ task }}\n${V0_0_13}`), {}).submission).toBe('after-marker')
    expect(readReferenceProtocol({ config: withInstance(`{{ task }}\n${V0_0_13}`) }, {}).submission).toBe('after-marker')
  })

  it('a 0.0.11-or-earlier file (the marker, never patch.txt) is refused: those versions evaluated git diff', () => {
    const older = refusal(withInstance(`{{ task }}\n${V0_0_11}`))
    expect(older.code).toBe('CONFIG_INVALID')
    expect(older.message).toMatch(/from the reference's 0\.0\.11 or earlier .*evaluated `git diff` of the working tree/)
    expect(older.hint).toMatch(/0\.0\.14 config\/coop\.yaml or config\/solo\.yaml/)
  })
})

const sandboxes = fixtureSandboxes()

/** A committed file changed in the tree; no patch.txt is written. */
const CHANGE = [
  "printf 'one\\ntwo\\n' > notes.txt",
  'git add notes.txt',
  'git -c user.name=t -c user.email=t@example.com commit -qm notes',
  "sed -i 's/^one$/ONE/' notes.txt",
].join(' && ')

describe.skipIf(sandboxes.skip)('the submission rule of the file, in a real sandbox', () => {
  const options = (instance: string) => ({ ...withInstance(`{{ task }}\n${instance}`), model: { ...model, observation_template: '{{ output.returncode }}' } })

  it('0.0.12–0.0.13: what the submit command printed after the marker is the patch', async () => {
    const sandbox = await sandboxes.create()
    const opts = options(V0_0_13)
    const result = await agentWith(scriptedModel([bash(CHANGE), bash(`${SUBMIT} && git diff`)]), opts).run(runContext({ sandbox, options: opts }))
    expect(result.status).toBe('Submitted')
    const diff = await sandbox.exec(['git', 'diff'], { cwd: SANDBOX_REPO_DIR })
    expect(diff.stdout).toContain('+ONE')
    expect(result.submittedPatch).toBe(diff.stdout)
  })

  it('0.0.12–0.0.13: a run that never submits has no patch; 0.0.14: patch.txt alone, so the same submission is empty', async () => {
    const limited = { ...options(V0_0_13), agent: { ...options(V0_0_13).agent, step_limit: 1 } }
    const sandbox = await sandboxes.create()
    const stopped = await agentWith(scriptedModel([bash(`${CHANGE} && git diff > patch.txt`), bash(SUBMIT)]), limited).run(
      runContext({ sandbox, options: limited }),
    )
    expect(stopped.status).toBe('LimitsExceeded')
    expect(stopped.submittedPatch).toBe('')

    const current = options(V0_0_14)
    const other = await sandboxes.create()
    const result = await agentWith(scriptedModel([bash(CHANGE), bash(`${SUBMIT} && git diff`)]), current).run(runContext({ sandbox: other, options: current }))
    expect(result.status).toBe('Submitted')
    expect(result.submittedPatch).toBe('')
  })
})

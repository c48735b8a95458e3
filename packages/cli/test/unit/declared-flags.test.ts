/**
 * Every flag a setting declares (`config/declaration.ts`) is a flag of `run` with its short flag,
 * and sets its key: made from the declaration, so a new setting with a flag is checked here too.
 */
import { DECLARED_KEYS, flagOfKey } from '@cooperbench/config'
import { Parser } from '@oclif/core'
import { describe, expect, it } from 'vitest'
import Eval from '../../src/commands/eval.js'
import Run from '../../src/commands/run.js'
import { declaredFlagSet, FLAGGED_KEY_IDS } from '../../src/declared-flags.js'

const FLAGGED = DECLARED_KEYS.filter((setting) => setting.spellings.flag !== undefined)
const runFlags = Run.flags as Record<string, { char?: string; description?: string; type: string; options?: readonly string[]; allowNo?: boolean }>

const parseRun = async (argv: string[]) => (await Parser.parse(argv, { flags: Run.flags, strict: true })).flags as Record<string, unknown>
const declaredRunFlags = declaredFlagSet(FLAGGED_KEY_IDS)

describe('flags made from the declaration', () => {
  it.each(FLAGGED.map((setting) => [setting.spellings.flag as string, setting] as const))('run --%s, as declared', (flag, setting) => {
    const made = runFlags[flag]
    expect(made, `run has no --${flag}`).toBeDefined()
    expect(made?.char).toBe(setting.spellings.char)
    // The help line is the declared one (not a hand-written flag of the same name spread over it).
    expect(made?.description?.startsWith(setting.spellings.help ?? setting.description)).toBe(true)
    expect(made?.type).toBe(setting.kind === 'boolean' ? 'boolean' : 'option')
    if (setting.kind === 'enum') expect(made?.options).toEqual(setting.options)
    if (setting.kind === 'boolean') expect(made?.allowNo).toBe(setting.default === true)
  })

  it.each([
    ['runName', 'name'],
    ['subset', 'subset'],
    ['repo', 'repo'],
    ['taskId', 'task'],
    ['features', 'features'],
  ])("%s, set by run's own --%s: errors name that flag as run and eval spell it", (key, flag) => {
    for (const flags of [runFlags, Eval.flags as typeof runFlags]) expect(flagOfKey(key)).toBe(`-${flags[flag]?.char}/--${flag}`)
  })

  it('no two flags of run share a short flag', () => {
    const chars = Object.values(runFlags).flatMap((flag) => (flag.char ? [flag.char] : []))
    expect(new Set(chars).size).toBe(chars.length)
  })

  it('the flags set their keys, and a flag not given sets nothing', async () => {
    const argv = ['-m', 'openai/gpt-4o', '-c', '4', '--no-messaging', '--git', '--cost-limit', '0.5', '--step-limit', '0']
    argv.push('--image-template', '{namespace}/{slug}', '--setting', 'solo', '--dataset-dir', 'data')
    expect(declaredRunFlags.configFromFlags(await parseRun(argv))).toEqual({
      modelName: 'openai/gpt-4o',
      concurrency: 4,
      messagingEnabled: false,
      gitEnabled: true,
      costLimit: 0.5,
      stepLimit: 0,
      image: { template: '{namespace}/{slug}' },
      setting: 'solo',
      datasetDir: 'data',
    })
    expect(declaredRunFlags.configFromFlags(await parseRun([]))).toEqual({})
  })

  it('a number flag is checked against its key’s bounds', async () => {
    await expect(parseRun(['--test-timeout', '0'])).rejects.toThrow('must be > 0, got "0"')
    await expect(parseRun(['--cost-limit', 'three'])).rejects.toThrow('must be a number, got "three"')
    await expect(parseRun(['--agent-timeout', '1.5'])).resolves.toMatchObject({ 'agent-timeout': 1.5 })
  })

  it('eval takes its declared settings the same way; its -c and --policy stay its own', () => {
    const evalFlags = Eval.flags as Record<string, { description?: string }>
    for (const flag of ['backend', 'evaluator', 'dataset-dir', 'log-dir', 'test-timeout'])
      expect(evalFlags[flag]?.description).toBe(runFlags[flag]?.description)
    expect(evalFlags.concurrency?.description).not.toBe(runFlags.concurrency?.description)
    expect(evalFlags.policy?.description).not.toBe(runFlags.policy?.description)
  })
})

import { coopSettingRegistration, sequentialSettingRegistration, soloSettingRegistration } from '@cooperbench/builtins'
import { PluginRegistry } from '@cooperbench/core'
import { resolveLayeredConfig } from '@cooperbench/config'
import { silentLogger } from '@cooperbench/spec-utils'
import { createRootScope } from '@cooperbench/core/plugins'
import { createBackend, imageNaming, planRun, seatPlanOf } from '@cooperbench/core/runner'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const plugin = { name: 'test-plugin', version: '1.0.0' }
const notRun = () => ({ specificationVersion: 'agent-v1' as const, name: 'x', run: async () => Promise.reject(new Error('not run')) })

const created: unknown[] = []

function registry(): PluginRegistry {
  const r = new PluginRegistry()
  r.register(plugin, {
    kind: 'agent',
    name: 'layered_agent',
    aliases: ['layered_v2'],
    specificationVersion: 'agent-v1',
    optionsSchema: { type: 'object', properties: { server: { type: 'string', default: 'builtin' } }, additionalProperties: false },
    imageLayer: (options: Record<string, unknown>) => ({ owner: 'agent layered_agent', tagSuffix: `-${String(options.server)}`, dockerfile: 'FROM scratch' }),
    promptSource: (options: Record<string, unknown>) => `test:${String(options.server)}`,
    briefingOnly: (options: Record<string, unknown>) => options.server === 'custom',
    create: notRun,
  } as never)
  r.register(plugin, {
    kind: 'backend',
    name: 'images',
    specificationVersion: 'backend-v1',
    optionsSchema: { type: 'object', properties: { imageTemplate: { type: 'string' } } },
    create: (context: { images?: unknown }) => {
      created.push(context.images)
      return { specificationVersion: 'backend-v1', name: 'images', preflight: async () => {} }
    },
  } as never)
  r.register(plugin, { kind: 'evaluator', name: 'default', specificationVersion: 'evaluator-v1', create: () => ({}) } as never)
  // The settings come from plugins too: the builtins' coop and solo.
  r.register({ name: '@cooperbench/builtins', version: '0.1.0' }, { kind: 'setting', ...coopSettingRegistration })
  r.register({ name: '@cooperbench/builtins', version: '0.1.0' }, { kind: 'setting', ...soloSettingRegistration })
  r.register({ name: '@cooperbench/builtins', version: '0.1.0' }, { kind: 'setting', ...sequentialSettingRegistration })
  return r
}

describe('planRun: the one plan of run(), the CLI and a script on core', () => {
  let cwd: string
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'plan-run-'))
  })
  afterEach(() => rm(cwd, { recursive: true, force: true }))

  it('plans from the resolved settings: the agent options validated once, the alias recorded by name, the layer in both image names', async () => {
    await writeFile(join(cwd, 'agent.yaml'), 'server: custom\n')
    const settings = await resolveLayeredConfig({ agent: 'layered_v2', backend: 'images', agentConfig: 'agent.yaml', setting: 'solo' }, undefined, cwd)
    const r = registry()
    const plan = await planRun(r, settings)
    expect(plan.agent).toBe('layered_agent')
    expect(plan.agentOptions).toEqual({ server: 'custom' })
    // Validated once: the registry takes the plan's options back as they are, the same object.
    expect(r.validateOptions('agent', 'layered_agent', plan.agentOptions)).toBe(plan.agentOptions)
    expect(plan.promptSource).toBe('test:custom')
    expect(plan.configRecord.prompt_source).toBe('test:custom')
    // Whether a setting gives its seats only their briefing, as the registration says for these options.
    expect(seatPlanOf(plan, undefined).briefingOnly).toBe(true)
    expect(plan.imageTemplate.endsWith('-custom')).toBe(true)
    // One owner of image names: the backend is told the plan's naming, never given it as an option of its own.
    expect(plan.backendOptions).toEqual({})
    await createBackend(
      r,
      createRootScope({ registry: r, logger: silentLogger }),
      plan.backend,
      plan.backendOptions,
      silentLogger,
      new AbortController().signal,
      imageNaming(plan),
    )
    expect(created.at(-1)).toEqual({ template: plan.imageTemplate, namespace: plan.imageNamespace })
    expect(plan.imageLayer).toEqual({ owner: 'agent layered_agent', agent: 'layered_v2', tagSuffix: '-custom' })
    expect(plan.runName).toMatch(/^solo-/)
    expect(plan.agentLimits).toEqual({ steps: 100, costUsd: 3, wallClockSeconds: null })
  })

  it('an option the schema refuses is refused at planning, naming the key', async () => {
    await writeFile(join(cwd, 'agent.yaml'), 'srever: custom\n')
    const settings = await resolveLayeredConfig({ agent: 'layered_agent', backend: 'images', agentConfig: 'agent.yaml' }, undefined, cwd)
    await expect(planRun(registry(), settings)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: 'invalid options of agent layered_agent' })
  })

  it('options of a plugin no installed plugin provides (a misspelt name) are refused, not left unread', async () => {
    const file = join(cwd, 'cooperbench.config.json')
    await writeFile(file, JSON.stringify({ settings: { sequentail: { order: 'descending' } }, backends: { images: {}, imagez: {} } }))
    const settings = await resolveLayeredConfig({ agent: 'layered_agent', backend: 'images', setting: 'sequential' }, undefined, cwd)
    await expect(planRun(registry(), settings)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      details: [
        `backends.imagez in ${file}: no installed backend is named "imagez". Did you mean "images"? Installed: images.`,
        `settings.sequentail in ${file}: no installed setting is named "sequentail". Did you mean "sequential"? Installed: coop, sequential, solo.`,
      ],
    })
  })

  it("a setting's option its schema refuses is named where it was given: the flag, the variable or the config file's key", async () => {
    const refused = async (settings: Awaited<ReturnType<typeof resolveLayeredConfig>>) => {
      const error = await planRun(registry(), settings).then(
        () => null,
        (e: { code: string; details: string[]; hint: string }) => e,
      )
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', hint: expect.not.stringContaining('config file') })
      return error!.details.join('\n')
    }
    const base = { agent: 'layered_agent', backend: 'images', setting: 'sequential' }
    const flag = await resolveLayeredConfig({ ...base, settings: { sequential: { order: 'sideways' } } }, undefined, cwd)
    expect(await refused(flag)).toMatch(/^--sequential-order: must be one of/)
    const env = await resolveLayeredConfig(base, undefined, cwd)
    expect(await refused({ ...env, env: { COOPERBENCH_SEQUENTIAL_ORDER: 'sideways' } })).toMatch(/^COOPERBENCH_SEQUENTIAL_ORDER: must be one of/)
    await writeFile(join(cwd, 'cooperbench.config.json'), JSON.stringify({ settings: { sequential: { order: 'sideways' } } }))
    const file = await resolveLayeredConfig(base, undefined, cwd)
    expect(await refused(file)).toMatch(/^settings\.sequential\.order in \S*cooperbench\.config\.json: must be one of/)
  })

  it("a seat role the setting does not have is refused naming where it was given, and the setting's roles", async () => {
    const base = { agent: 'layered_agent', backend: 'images', setting: 'solo' }
    const flag = await resolveLayeredConfig({ ...base, seats: { worker: { model: 'openai/small' } } }, undefined, cwd)
    await expect(planRun(registry(), flag)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'seats.worker (--seat): setting solo has no seat of role "worker"',
      hint: expect.stringContaining('It declares no seat roles.'),
    })
    await writeFile(join(cwd, 'cooperbench.config.json'), JSON.stringify({ seats: { worker: { model: 'openai/small' } } }))
    const file = await resolveLayeredConfig(base, undefined, cwd)
    await expect(planRun(registry(), file)).rejects.toMatchObject({
      message: expect.stringMatching(/^seats\.worker \(seats in \S*cooperbench\.config\.json\): /),
    })
  })
})

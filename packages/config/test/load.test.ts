import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFIG_LOAD_TIMEOUT_MS, CONFIG_LOAD_TIMEOUT_VARIABLE, configLoadTimeoutMs, loadConfigFile, searchDirectories } from '../src/index.js'
import { caught, project, writeFiles } from './project.js'

describe('loadConfigFile: every file flavour', () => {
  const flavours: [string, string | object][] = [
    ['cooperbench.config.json', { modelName: 'from-json' }],
    ['cooperbench.config.yaml', 'modelName: from-yaml\n'],
    ['cooperbench.config.yml', 'modelName: from-yml\n'],
    ['.cooperbenchrc', 'modelName: from-rc\n'],
    ['.cooperbenchrc.json', { modelName: 'from-rc-json' }],
    ['package.json', { name: 'research', cooperbench: { modelName: 'from-package-json' } }],
    [
      'cooperbench.config.ts',
      [
        "import type { CooperbenchConfig } from '@cooperbench/core'",
        'interface Local { modelName: string; concurrency: number }',
        "const config: Local = { modelName: 'from-ts' as string, concurrency: 4 satisfies number }",
        'export default config satisfies CooperbenchConfig',
      ].join('\n'),
    ],
    ['cooperbench.config.mts', "const modelName: string = 'from-mts'\nexport default { modelName }\n"],
    ['cooperbench.config.mjs', "export default { modelName: 'from-mjs' }\n"],
    ['cooperbench.config.cjs', "module.exports = { modelName: 'from-cjs' }\n"],
    ['.cooperbenchrc.js', "export default { modelName: 'from-rc-js' }\n"],
  ]

  it.each(flavours)('%s', async (name, content) => {
    const dir = project({ [name]: content })
    const loaded = await loadConfigFile(dir)
    expect(loaded?.filepath).toBe(path.join(dir, name))
    expect(loaded?.config.modelName).toMatch(/^from-/)
  })

  it('uses named exports when a module has no default export', async () => {
    const dir = project({ 'cooperbench.config.mjs': "export const modelName = 'named'\nexport const concurrency = 2\n" })
    expect((await loadConfigFile(dir))?.config).toEqual({ modelName: 'named', concurrency: 2 })
  })

  it('calls an exported (async) function', async () => {
    const dir = project({ 'cooperbench.config.ts': "export default async (): Promise<object> => ({ modelName: 'computed' })\n" })
    expect((await loadConfigFile(dir))?.config).toEqual({ modelName: 'computed' })
  })

  it('reads an edited TypeScript file afresh', async () => {
    const dir = project({ 'cooperbench.config.ts': "export default { modelName: 'first' }\n" })
    expect((await loadConfigFile(dir))?.config.modelName).toBe('first')
    writeFiles(dir, { 'cooperbench.config.ts': "export default { modelName: 'second' }\n" })
    expect((await loadConfigFile(dir))?.config.modelName).toBe('second')
  })

  it('treats an empty file as an empty configuration', async () => {
    const dir = project({ 'cooperbench.config.yaml': '' })
    expect(await loadConfigFile(dir)).toEqual({ config: {}, filepath: path.join(dir, 'cooperbench.config.yaml') })
  })
})

describe('loadConfigFile: where it looks', () => {
  it('returns null when there is no config file', async () => {
    expect(await loadConfigFile(project())).toBeNull()
  })

  it('skips a package.json without a cooperbench key', async () => {
    const dir = project({ 'package.json': { name: 'x' }, 'cooperbench.config.json': { modelName: 'file' } })
    expect((await loadConfigFile(dir))?.filepath).toBe(path.join(dir, 'cooperbench.config.json'))
  })

  it('walks up from a sub-folder to the project root, and no further', async () => {
    const root = project({ 'cooperbench.config.json': { modelName: 'root' } })
    writeFiles(root, { 'inner/package.json': { name: 'inner' }, 'inner/deep/er/.keep': '' })
    // inner/ has a package.json: it is the project root for inner/deep/er, so root's file is not seen.
    expect(await loadConfigFile(path.join(root, 'inner', 'deep', 'er'))).toBeNull()
    writeFiles(root, { 'sub/deep/.keep': '' })
    expect((await loadConfigFile(path.join(root, 'sub', 'deep')))?.config.modelName).toBe('root')
    expect(searchDirectories(path.join(root, 'sub', 'deep'))).toEqual([path.join(root, 'sub', 'deep'), path.join(root, 'sub'), root])
  })

  it('loads an explicit path relative to cwd, whatever its name', async () => {
    const dir = project({ 'configs/experiment.yaml': 'modelName: explicit\n', 'cooperbench.config.json': { modelName: 'found' } })
    const loaded = await loadConfigFile(dir, 'configs/experiment.yaml')
    expect(loaded).toEqual({ config: { modelName: 'explicit' }, filepath: path.join(dir, 'configs', 'experiment.yaml') })
  })

  it('a missing explicit path is CONFIG_NOT_FOUND naming it', async () => {
    const dir = project()
    const error = await caught(() => loadConfigFile(dir, 'nope.json'))
    expect(error.code).toBe('CONFIG_NOT_FOUND')
    expect(error.message).toContain(path.join(dir, 'nope.json'))
  })
})

describe('loadConfigFile: broken files', () => {
  it.each([
    ['cooperbench.config.json', '{ "modelName": "x", }', /JSON|Unexpected|Expected/i],
    ['cooperbench.config.yaml', 'modelName: [unclosed\n', /flow|unexpected|end of the stream|missed comma/i],
    ['cooperbench.config.ts', 'export default { modelName: "x" ', /expected|Unexpected|ParseError|SyntaxError|"}"/i],
  ])('a syntax error in %s is CONFIG_INVALID naming the file and the parse message', async (name, content, parseMessage) => {
    const dir = project({ [name]: content })
    const error = await caught(() => loadConfigFile(dir))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain(path.join(dir, name))
    expect([error.message, ...(error.details as string[])].join('\n')).toMatch(parseMessage)
  })

  it('a file whose content is not an object is CONFIG_INVALID', async () => {
    const dir = project({ 'cooperbench.config.yaml': '- a\n- b\n' })
    const error = await caught(() => loadConfigFile(dir))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.details).toEqual(['(root): must be object'])
  })

  it('an unsupported extension given explicitly is CONFIG_INVALID with the supported formats in the hint', async () => {
    const dir = project({ 'config.toml': 'modelName = "x"\n' })
    const error = await caught(() => loadConfigFile(dir, 'config.toml'))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.hint).toContain('cooperbench.config.yaml')
  })
})

describe('loadConfigFile: a file that never finishes loading', () => {
  // A small bound, so no test waits: what is checked is which error comes, not when.
  const bound = { timeoutMs: 50 }

  it.each([
    ['cooperbench.config.mjs', 'await new Promise(() => {})\nexport default { concurrency: 1 }\n'],
    ['cooperbench.config.ts', 'await new Promise<void>(() => {})\nexport default { concurrency: 1 }\n'],
  ])('a top-level await of %s that does not settle within the bound is CONFIG_INVALID naming the file', async (name, content) => {
    const dir = project({ [name]: content })
    const error = await caught(() => loadConfigFile(dir, undefined, bound))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toBe(`cannot load config file ${path.join(dir, name)}: its top-level await did not settle within 0.05 s`)
    expect(error.hint).toContain('COOPERBENCH_CONFIG_LOAD_TIMEOUT_MS')
  })

  it('so is an exported function whose promise does not settle', async () => {
    const dir = project({ 'cooperbench.config.mjs': 'export default () => new Promise(() => {})\n' })
    const error = await caught(() => loadConfigFile(dir, 'cooperbench.config.mjs', bound))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toMatch(/cooperbench\.config\.mjs: the promise its exported function returned did not settle within 0\.05 s$/)
  })

  it('aborting the signal while it loads ends the loading with INTERRUPTED', async () => {
    const dir = project({ 'cooperbench.config.mjs': 'await new Promise(() => {})\nexport default {}\n' })
    const controller = new AbortController()
    const loading = caught(() => loadConfigFile(dir, undefined, { signal: controller.signal }))
    controller.abort()
    const error = await loading
    expect(error.code).toBe('INTERRUPTED')
    expect(error.message).toBe(`interrupted while loading config file ${path.join(dir, 'cooperbench.config.mjs')}`)
  })

  it(`the bound is ${CONFIG_LOAD_TIMEOUT_MS / 1000} s unless ${CONFIG_LOAD_TIMEOUT_VARIABLE} sets another (milliseconds)`, () => {
    expect(configLoadTimeoutMs({})).toBe(CONFIG_LOAD_TIMEOUT_MS)
    expect(configLoadTimeoutMs({ [CONFIG_LOAD_TIMEOUT_VARIABLE]: '250' })).toBe(250)
    for (const bad of ['0', '1.5', 'soon']) {
      expect(() => configLoadTimeoutMs({ [CONFIG_LOAD_TIMEOUT_VARIABLE]: bad })).toThrow(/invalid configuration in the environment/)
    }
  })
})

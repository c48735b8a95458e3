/**
 * Upstream's own configuration files (../shared/upstream-configs: mini_swe_agent_v2's coop.yaml,
 * solo.yaml and mini.yaml as released in 0.0.11–0.0.14), every folder and every file, through the
 * reference mode: what the model is shown (the system and task messages, observations of a short,
 * a long and a timed-out command, a format error) must be the bytes Jinja2 itself renders from the
 * same file with the variables upstream's adapter builds (./upstream-render.py), for both agents of
 * a coop pair with and without --git and for solo. 0.0.12–0.0.13 files are followed (the text after
 * the submit marker is the patch, and the user is told once), 0.0.11 files refused naming the version.
 * Why outside the repository: they are upstream's files, which a user supplies at run time and the
 * project never copies in; CI's checkout has ../shared beside it, and without it the test skips saying so.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MemoryBus } from '@cooperbench/builtins'
import { readAgentConfig } from '@cooperbench/config'
import { joinedFeatureTexts as soloInstructions } from '@cooperbench/spec-utils/setting'
import type { AgentRunContext } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { readReferenceProtocol } from '../src/reference/config.js'
import { referenceTemplateContext } from '../src/reference/reference-protocol.js'
import { referenceTemplateVars } from '../src/reference/template-vars.js'
import { agentWith, bash, contents, coopContext, fakeSandbox, reply, runContext, scriptedModel } from './fakes.js'
import { jinjaProblem, runPython } from './system-jinja.js'

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..')
const UPSTREAM_CONFIGS = resolve(REPO_ROOT, '..', 'shared', 'upstream-configs')
const RENDER_SCRIPT = fileURLToPath(new URL('./upstream-render.py', import.meta.url))
const FEATURES = [1, 2].map((id) => ({ id, path: resolve(REPO_ROOT, 'dataset', 'confkit_task', 'task5', `feature${id}`, 'feature.md') }))

/** Every configuration file, by upstream version (the folder's `<version>-<commit>`). */
function upstreamFiles(): Array<{ folder: string; version: string; file: string; path: string }> {
  try {
    return readdirSync(UPSTREAM_CONFIGS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap(({ name: folder }) =>
        readdirSync(resolve(UPSTREAM_CONFIGS, folder))
          .filter((file) => file.endsWith('.yaml'))
          .map((file) => ({ folder, version: folder.split('-')[0]!, file, path: resolve(UPSTREAM_CONFIGS, folder, file) })),
      )
      .sort((a, b) => `${a.folder}/${a.file}`.localeCompare(`${b.folder}/${b.file}`))
  } catch {
    return []
  }
}

const FILES = upstreamFiles()
const missing = FILES.length === 0 ? `upstream's configuration files are not at ${UPSTREAM_CONFIGS}` : null
if (missing !== null && process.env.CI) throw new Error(`${missing}, and CI is set: the reference mode must be checked on them`)
const skip = missing ?? jinjaProblem

/** What the commands print: HTML and JSON specials, a line separator, an astral character, a control character. */
const SHORT_OUTPUT = "héllo <b>&'x'\"\u2028 😀\ttab\u0001 \\ end\n"
/** Over 10,000 characters, with astral characters where a UTF-16 slice would cut one in half. */
const LONG_OUTPUT = `${'😀x'.repeat(6_172)}\n`
const MARKER_PATCH = 'diff --git a/after b/after\n--- a/after\n+++ b/after\n@@ -1 +1 @@\n-a\n+marker\n'
const FILE_PATCH = 'diff --git a/file b/file\n--- a/file\n+++ b/file\n@@ -1 +1 @@\n-a\n+patch.txt\n'
const SUBMIT_WITH_PATCH = 'echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && cat patch.txt'
const NO_TOOL_CALL = 'No tool calls found in the response. Every response MUST include at least one tool call.'
/** upstream-render.py's stand-in for a default upstream keeps in its source (the harness leaves the variable out). */
const NOT_COPIED = "<upstream's default compaction_summary_prompt, not copied>"

/** One agent of one run: its setting and what upstream's runner would pass it. */
interface Case {
  agentId: string
  agents: string[] | null
  git: boolean
  messaging: boolean
  backend: 'docker' | 'modal'
}

function casesFor(file: string): Case[] {
  if (file === 'solo.yaml') {
    return (['docker', 'modal'] as const).map((backend) => ({ agentId: 'solo', agents: null, git: false, messaging: false, backend }))
  }
  const pair = ['agent1', 'agent2']
  return [
    ...pair.flatMap((agentId) => [false, true].map((git) => ({ agentId, agents: pair, git, messaging: true, backend: 'docker' as const }))),
    { agentId: 'agent1', agents: pair, git: false, messaging: false, backend: 'docker' },
    { agentId: 'agent2', agents: pair, git: true, messaging: true, backend: 'modal' },
  ]
}

/** A sandbox whose commands print the outputs above; the submit command prints the marker and a patch. */
function sandbox() {
  return fakeSandbox((text) => {
    const command = /^bash -c exec 2>&1; exec bash -lc "\$1" bash ([\s\S]*)$/.exec(text)?.[1] ?? text
    if (command === 'short') return { stdout: SHORT_OUTPUT }
    if (command === 'long') return { stdout: LONG_OUTPUT }
    if (command === 'slow') return { stdout: 'partial\n', exitCode: -1, timedOut: true }
    if (command === SUBMIT_WITH_PATCH) return { stdout: `COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n${MARKER_PATCH}` }
    if (command === 'cat patch.txt 2>/dev/null') return { stdout: FILE_PATCH }
    throw new Error(`unexpected command ${command}`)
  })
}

const image = 'akhatua/cooperbench-confkit:task5'
const model = 'openai/gpt-4o-mini'

/** The context the harness gives this agent (its task as the runner builds it). */
async function contextFor(c: Case, options: Record<string, unknown>, logger: AgentRunContext['logger']): Promise<AgentRunContext> {
  const texts = FEATURES.map(({ id, path }) => ({ id, text: readFileSync(path, 'utf8') }))
  const common = { sandbox: sandbox(), options, model, image, backend: c.backend, logger }
  if (c.agents === null) return runContext({ ...common, featureIds: [1, 2], instructions: soloInstructions(texts) })
  const index = c.agents.indexOf(c.agentId)
  const peers = c.agents.filter((a) => a !== c.agentId)
  const git = c.git ? { remote: 'team', url: '/cooperbench/team.git' } : null
  const together = { ...common, featureIds: [index + 1], instructions: texts[index]!.text, git }
  if (!c.messaging) return runContext({ ...together, agentId: c.agentId, peers, mailbox: null })
  return coopContext(await new MemoryBus().open(`run:${c.agentId}`, c.agentId, peers), together)
}

/** What upstream-render.py answers for one case. */
interface Upstream {
  vars: Record<string, unknown>
  system: string
  instance: string
  observations: string[]
  format_errors: string[]
}

describe.skipIf(skip)(`upstream's configuration files through the reference mode${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('finds every released version: 0.0.11, 0.0.12 (two commits each) and 0.0.14', () => {
    expect(FILES.map((f) => `${f.folder}/${f.file}`)).toEqual([
      '0.0.11-9352d2f/mini.yaml',
      '0.0.11-c9e850d/mini.yaml',
      '0.0.12-07294b8/coop.yaml',
      '0.0.12-07294b8/solo.yaml',
      '0.0.12-b47df3a/coop.yaml',
      '0.0.12-b47df3a/solo.yaml',
      '0.0.14-eb2075e/coop.yaml',
      '0.0.14-eb2075e/solo.yaml',
    ])
  })

  for (const { folder, version, file, path } of FILES.filter((f) => f.version === '0.0.11')) {
    it(`${folder}/${file}: refused before the run, naming upstream 0.0.11`, async () => {
      const { options } = await readAgentConfig(path)
      const setup = { model, options, limits: { steps: 0, costUsd: 0, wallClockSeconds: null }, run: { messaging: true, git: false, agents: 2 } }
      await expect(agentWith(scriptedModel([]), options).preflight(setup)).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(new RegExp(`from the reference's ${version.replaceAll('.', '\\.')} or earlier`)),
      })
    })
  }

  for (const { folder, version, file, path } of FILES.filter((f) => f.version !== '0.0.11')) {
    const followsMarker = version === '0.0.12'
    it(`${folder}/${file}: every agent is shown what Jinja2 renders with upstream's variables; ${followsMarker ? 'the text after the marker' : 'patch.txt'} is the patch; its keys without effect named once`, async () => {
      const { options } = await readAgentConfig(path)
      const cases = casesFor(file)
      const upstream = runPython<Upstream[]>([RENDER_SCRIPT], {
        file: path,
        cases: cases.map((c) => ({
          agent_id: c.agentId,
          agents: c.agents,
          git_enabled: c.git,
          messaging_enabled: c.messaging,
          task_files: c.agents === null ? FEATURES : [FEATURES[c.agents.indexOf(c.agentId)]!],
          image,
          model_name: model,
          backend: c.backend,
          observations: [
            { output: { output: SHORT_OUTPUT, returncode: 0, exception_info: '' }, n_model_calls: 1, model_cost: 0.01 },
            { output: { output: LONG_OUTPUT, returncode: 0, exception_info: '' }, n_model_calls: 3, model_cost: 0.01 + 0.01 },
            {
              output: {
                output: 'partial\n',
                returncode: -1,
                exception_info: 'An error occurred while executing the command: the command timed out after 3600 seconds',
              },
              n_model_calls: 4,
              model_cost: 0.01 + 0.01 + 0.01,
            },
          ],
          errors: [NO_TOOL_CALL],
        })),
      })
      const notices: string[] = []
      const warnings: string[] = []
      for (const [i, c] of cases.entries()) {
        const expected = upstream[i]!
        const label = `${c.agentId}, git ${c.git}, messaging ${c.messaging}, ${c.backend}`
        const logger = { debug() {}, info: (line: string) => notices.push(line), warn: (line: string) => warnings.push(line), error() {} }
        const ctx = await contextFor(c, options, logger)

        const protocol = readReferenceProtocol(options)
        const vars = JSON.parse(JSON.stringify(referenceTemplateVars(protocol, { ...referenceTemplateContext(ctx), calls: 0, cost: 0 })))
        const { compaction_summary_prompt: summaryPrompt, ...upstreamVars } = expected.vars
        // The one variable left out on purpose: upstream's default summary prompt is its text, not ours to ship.
        expect(summaryPrompt, label).toBe(NOT_COPIED)
        expect(vars, label).toEqual(upstreamVars)

        const chat = scriptedModel([bash('short'), reply([]), bash('long'), bash('slow'), bash(SUBMIT_WITH_PATCH)])
        const result = await agentWith(chat, options).run(ctx)
        expect(contents(chat.requests[0]), label).toEqual([expected.system, expected.instance])
        expect(contents(chat.requests[1]).at(-1), label).toBe(expected.observations[0])
        expect(contents(chat.requests[2]).at(-1), label).toBe(expected.format_errors[0])
        expect(contents(chat.requests[3]).at(-1), label).toBe(expected.observations[1])
        expect(contents(chat.requests[4]).at(-1), label).toBe(expected.observations[2])
        expect(result, label).toMatchObject(
          followsMarker
            ? { status: 'Submitted', submittedPatch: MARKER_PATCH, submittedPatchSource: 'after_submit_marker' }
            : { status: 'Submitted', submittedPatch: FILE_PATCH, submittedPatchSource: 'agent_patch_file' },
        )
      }
      // Told once per configuration, and only for an older protocol.
      const told = notices.filter((line) => line.includes("upstream 0.0.12–0.0.13's protocol is in force"))
      expect(told).toHaveLength(followsMarker ? 1 : 0)
      // Its keys without effect here, named once each; none was refused.
      expect(warnings.filter((line) => line.startsWith('agent config: agent.') || line.startsWith('agent config: model.'))).toEqual([
        "agent config: agent.mode: not a setting of the reference's agent (its settings class ignores it)",
        "agent config: model.model_kwargs.drop_params: steers LiteLLM's client, not the request",
      ])
    })
  }
})

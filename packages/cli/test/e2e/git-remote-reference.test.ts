import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeResult, makeWorkdir, pairDirs, requireLocalBackend, runCli, demoPair } from './helpers.js'

/**
 * Two agents that only look: each records its remote-tracking branches when it starts, then
 * fetches until its teammate's branch appears (so both have connected before either ends).
 * `gitref` declares a reference prompt source (the reference's protocol).
 */
const LOOKING_AGENTS = `const make = (name) => ({ name, specificationVersion: 'agent-v1',
  promptSource: () => 'reference-config:sha256:${'0'.repeat(64)}',
  create: () => ({ specificationVersion: 'agent-v1', name, async run(ctx) {
    const sh = (c) => ctx.sandbox.exec(c, { signal: ctx.signal })
    const atStart = await sh('git branch -r --format="%(refname:short)"')
    let seen = false
    let fetched = ''
    for (let i = 0; i < 200 && !seen; i++) {
      fetched += (await sh('git fetch team 2>&1')).stdout
      seen = (await sh(ctx.peers.map((p) => 'git rev-parse -q --verify team/' + p).join(' && '))).exitCode === 0
      if (!seen) await new Promise((res) => setTimeout(res, 100))
    }
    const remotes = await sh('git remote -v')
    return { status: seen ? 'Submitted' : 'Error', cost: 0, steps: 1, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0,
             messages: [{ role: 'tool', content: atStart.stdout }, { role: 'tool', content: fetched }, { role: 'tool', content: remotes.stdout }],
             error: seen ? null : 'peer branch never appeared' }
  } }) })
export default { name: 'git-looking-agents', version: '0.0.1', register(api) { api.agent(make('gitref')) } }
`

/** Each agent's remote-tracking branches when it started, what its fetches printed and its remotes, by agent. */
async function whatAgentsSaw(pair: string): Promise<Record<string, { branches: string[]; fetched: string; remotes: string }>> {
  const out: Record<string, { branches: string[]; fetched: string; remotes: string }> = {}
  for (const agent of ['agent1', 'agent2']) {
    const [branches, fetched, remotes] = JSON.parse(await readFile(join(pair, `${agent}_traj.json`), 'utf8')).messages.map(
      (m: { content: string }) => m.content,
    )
    out[agent] = { branches: branches.trim().split('\n').sort(), fetched, remotes }
  }
  return out
}

describe('--git: what an agent sees of the shared remote when it starts', () => {
  it('the reference protocol: no pre-fetch, only team/main and its own branch (0.0.14 connector)', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('git-prefetch')
    await writeFile(join(w.cwd, 'looking-agents.mjs'), LOOKING_AGENTS)
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: ['./looking-agents.mjs'] }))
    const runOf = async (agent: string) => {
      const r = await runCli(
        ['run', ...demoPair(12), '-a', agent, '--git', '--backend', 'local', '-n', agent, '--no-auto-eval'],
        w.options({ timeoutMs: 300_000 }),
      )
      expect(r.code, describeResult(r)).toBe(0)
      const [pair] = await pairDirs(w.logs, agent, 'coop')
      const result = JSON.parse(await readFile(join(pair!, 'result.json'), 'utf8'))
      expect(result).toMatchObject({ agents: { agent1: { status: 'Submitted' }, agent2: { status: 'Submitted' } } })
      return { result, seen: await whatAgentsSaw(pair!) }
    }

    const reference = await runOf('gitref')
    expect(reference.result.prompt_source).toMatch(/^reference-config:/)
    // Teammates' branches appear only after the agent's own fetch (which each agent then did).
    expect({ agent1: reference.seen.agent1!.branches, agent2: reference.seen.agent2!.branches }).toEqual({
      agent1: ['team/agent1', 'team/main'],
      agent2: ['team/agent2', 'team/main'],
    })
    // What a fetch and `git remote -v` print: the remote's path in the sandbox, where upstream's printed its git:// address.
    for (const [self, peer] of [
      ['agent1', 'agent2'],
      ['agent2', 'agent1'],
    ] as const) {
      const { fetched, remotes } = reference.seen[self]!
      expect(fetched, self).toMatch(new RegExp(`^From /cooperbench/team\\n \\* \\[new branch\\] +${peer} +-> team/${peer}$`, 'm'))
      expect(remotes, self).toBe('team\t/cooperbench/team.git (fetch)\nteam\t/cooperbench/team.git (push)\n')
    }
    // Our profiles keep the pre-fetch: git-remote.test.ts's agents (of no reference prompt source)
    // record the branches they start with, on the local backend and on Docker.
  }, 600_000)
})

import { spawnSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeResult, makeWorkdir, pairDirs, requireLocalBackend, runCli, demoPair } from './helpers.js'

/**
 * An agent that uses the shared remote the way the prompt allows: commit its own file, push its
 * branch, then fetch the teammate's branch and copy the teammate's file into its own tree (so it
 * lands in its patch, where the test can see it). Before it pushes, it records the remote-tracking
 * branches it started with: our profiles' pre-fetch (git-remote-reference.test.ts has the reference
 * protocol's connection, without it).
 */
const GIT_AGENT = `export default { name: 'git-agents', version: '0.0.1', register(api) { api.agent({ name: 'gitpeer', specificationVersion: 'agent-v1',
  create: () => ({ specificationVersion: 'agent-v1', name: 'gitpeer', async run(ctx) {
    const me = ctx.agentId
    const sh = (c) => ctx.sandbox.exec(c, { signal: ctx.signal })
    const setup = await sh('git remote -v && git branch --show-current && git rev-parse team/main')
    const atStart = await sh('git branch -r --format="%(refname:short)"')
    await sh('echo "from ' + me + '" > ' + me + '.txt && git add ' + me + '.txt && git commit -qm ' + me + ' && git push -q team ' + me)
    let seen = true
    for (const peer of ctx.peers) {
      let found = null
      for (let i = 0; i < 100 && !found; i++) {
        const r = await sh('git fetch -q team && git show team/' + peer + ':' + peer + '.txt')
        if (r.exitCode === 0) found = r.stdout
        else await new Promise((res) => setTimeout(res, 100))
      }
      if (!found) seen = false
      await sh('git show team/' + peer + ':' + peer + '.txt > seen-' + peer + '.txt')
    }
    return { status: seen ? 'Submitted' : 'Error', cost: 0, steps: 1, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0,
             messages: [{ role: 'tool', content: setup.stdout }, { role: 'tool', content: atStart.stdout }], error: seen ? null : 'peer branch never appeared' }
  } }) }) } }
`

const engine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0

describe('--git: a shared remote per pair', () => {
  for (const backend of ['local', 'docker'] as const) {
    it.skipIf(backend === 'docker' && !engine && !process.env.CI)(
      `agents on the ${backend} backend push their branches and see each other's work; team/main is the base commit`,
      async (ctx) => {
        if (backend === 'local') requireLocalBackend(ctx)
        const w = await makeWorkdir(`git-${backend}`)
        await writeFile(join(w.cwd, 'git-agent.mjs'), GIT_AGENT)
        await writeFile(
          join(w.cwd, 'cooperbench.config.json'),
          JSON.stringify({ plugins: ['./git-agent.mjs'], backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } } }),
        )
        // A pair of three features: one remote for the three agents, each sees both teammates' branches.
        const r = await runCli(
          ['run', ...demoPair(12, '1,2,3'), '--agents', '3', '-a', 'gitpeer', '--git', '--backend', backend, '-n', 'git3', '--no-auto-eval'],
          w.options({ timeoutMs: 300_000 }),
        )
        expect(r.code, describeResult(r)).toBe(0)
        const [trio] = await pairDirs(w.logs, 'git3', 'coop')
        const trioResult = JSON.parse(await readFile(join(trio!, 'result.json'), 'utf8'))
        expect(trioResult.git_enabled).toBe(true)
        expect(Object.values(trioResult.agents).map((a: any) => a.status)).toEqual(['Submitted', 'Submitted', 'Submitted'])
        // The remote as the agent found it: named team, its own branch checked out, team/main the base commit.
        const trajectory = JSON.parse(await readFile(join(trio!, 'agent1_traj.json'), 'utf8'))
        const setup = trajectory.messages[0].content as string
        expect(setup).toContain('team\t/cooperbench/team.git')
        expect(setup).toContain('agent1')
        expect(setup.trim().split('\n').at(-1)).toBe(trioResult.base_commit)
        // Our profiles pre-fetch: an agent that connects after a teammate starts with its branch already.
        const startedWith: Record<string, string[]> = {}
        for (const self of [1, 2, 3]) {
          const { messages } = JSON.parse(await readFile(join(trio!, `agent${self}_traj.json`), 'utf8'))
          startedWith[`agent${self}`] = (messages[1].content as string).trim().split('\n')
        }
        const sawPeer = Object.entries(startedWith).filter(([self, branches]) => branches.some((ref) => ref.startsWith('team/agent') && ref !== `team/${self}`))
        expect(sawPeer.length, `pre-fetched teammates' branches at the start: ${JSON.stringify(startedWith)}`).toBeGreaterThan(0)
        const patch1 = await readFile(join(trio!, 'agent1.patch'), 'utf8')
        expect(patch1).toContain('+++ b/seen-agent2.txt')
        for (const [self, peers] of [
          [1, [2, 3]],
          [2, [1, 3]],
          [3, [1, 2]],
        ] as const) {
          const patch = await readFile(join(trio!, `agent${self}.patch`), 'utf8')
          for (const peer of peers) expect(patch, `agent${self} sees agent${peer}`).toContain(`+from agent${peer}`)
        }
      },
      300_000,
    )
  }
})

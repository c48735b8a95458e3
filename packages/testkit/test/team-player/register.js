// A third-party agent written from docs/plugin-guide.md alone ("What a seat hands its agent"):
// no model; it implements its feature with the task's gold patch, as the oracle does, and plays
// the team's protocol as its briefing (ctx.coordination) tells a model to, with the command tools
// the harness installs (on the PATH of every command it runs): a member claims its task, leaves
// its patch in the scratchpad and marks the task done; the lead claims its task, waits for the
// members, applies their patches, then its own feature, and marks its task done. Its trajectory
// is in the shape the viewer reads.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

const WAIT_SECONDS = 60

class TeamPlayer {
  specificationVersion = 'agent-v1'
  name = 'team_player'

  async run(ctx) {
    const messages = []
    const sh = async (why, command) => {
      messages.push({ role: 'assistant', content: why, extra: { actions: [{ command }], timestamp: Date.now() / 1000 } })
      const r = await ctx.sandbox.exec(['sh', '-c', command], { signal: ctx.signal, timeoutMs: 120_000 })
      // Stopped by the harness (Ctrl+C, its wall clock): end here, as the guide asks.
      ctx.signal.throwIfAborted()
      messages.push({ role: 'tool', content: `${r.stdout}${r.stderr}`, extra: { returncode: r.exitCode, timestamp: Date.now() / 1000 } })
      await ctx.recorder.save(messages)
      return r
    }
    const team = teamOf(ctx)
    let mine = null
    if (team.commands && team.seeded) {
      const listed = await sh('Find my task.', 'coop-task-list --mine')
      mine = JSON.parse(listed.stdout)[0] ?? null
      if (mine) await sh('Take it.', `coop-task-claim ${mine.id}`)
    }
    if (team.lead && team.scratchpad) await this.integrate(ctx, team, sh)
    for (const id of ctx.featureIds) {
      const feature = ctx.task.features.find((f) => f.id === id)
      const gold = await readFile(join(feature.dir, 'feature.patch'), 'utf8')
      await ctx.sandbox.writeFile('/tmp/gold.patch', gold)
      await sh(`Implement feature ${id}.`, 'git apply --3way /tmp/gold.patch')
    }
    if (!team.lead && team.scratchpad) {
      await sh('Leave my changes for the lead.', `git add -A -N && git diff HEAD > ${team.scratchpad}/${ctx.agentId}.patch`)
    }
    if (mine) await sh('My part is done.', `coop-task-update ${mine.id} done -n "see ${team.scratchpad ?? 'my branch'}"`)
    messages.push({ role: 'exit', content: 'done', extra: { exit_status: 'Submitted' } })
    await ctx.recorder.save(messages)
    return {
      status: 'Submitted',
      cost: 0,
      steps: messages.filter((m) => m.role === 'assistant').length,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      messages,
      error: null,
    }
  }

  /** The lead: waits until every member's task is done (or, without the list, its patch is there), then applies each member's patch. */
  async integrate(ctx, team, sh) {
    const members = ctx.peers
    const ready = async () => {
      if (!team.seeded) return (await ctx.sandbox.exec(['sh', '-c', members.map((m) => `test -f ${team.scratchpad}/${m}.patch`).join(' && ')])).exitCode === 0
      const tasks = JSON.parse((await ctx.sandbox.exec(['coop-task-list'])).stdout)
      return tasks.filter((task) => members.includes(task.owner)).every((task) => task.status === 'done')
    }
    for (let second = 0; second < WAIT_SECONDS && !(await ready()); second++) await new Promise((resolve) => setTimeout(resolve, 1000))
    for (const member of members) await sh(`Integrate ${member}'s work.`, `git apply --3way ${team.scratchpad}/${member}.patch`)
  }
}

/** What its briefing says of its part: the lead or a member, the scratchpad's folder, a seeded task list and its commands. */
function teamOf(ctx) {
  const section = (title) => ctx.coordination.briefing.sections.find((s) => s.title === title)?.body ?? ''
  return {
    lead: section('Your role in the team').includes('the lead of this team'),
    scratchpad: /`([^`]+)` is a folder the whole team shares/.exec(section('Scratchpad'))?.[1] ?? null,
    seeded: section('Task list').includes('already put one task on it'),
    commands: ctx.coordination.tools.some((tool) => tool.name === 'coop-task-list'),
  }
}

export default {
  name: 'cooperbench-team-player',
  version: '1.0.0',
  coreRange: '>=0.1.0 <1.0.0',
  register(api) {
    api.agent({
      name: 'team_player',
      specificationVersion: 'agent-v1',
      usesModel: false,
      description: 'plays the team protocol without a model',
      create: () => new TeamPlayer(),
    })
  },
}

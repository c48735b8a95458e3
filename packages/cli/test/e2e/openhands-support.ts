import { spawnSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fakeOpenHandsServerFiles } from '@cooperbench/standins/openhands-server'
import { type ScriptedTurn, textTurn } from '@cooperbench/testkit/llm-server'
import { type FeatureRef, heredoc, soloApplyCommand } from './gold-features.js'

/** The `-a openhands` e2e tests' pieces: the scripted model the stand-in server calls, and an agent server image holding the stand-in. */

type Message = { role: string; content?: unknown }
const textOf = (m: Message | undefined): string =>
  typeof m?.content === 'string'
    ? m.content
    : Array.isArray(m?.content)
      ? (m.content as Array<{ text?: string }>).map((part) => part.text ?? '').join('\n')
      : ''
const call = (name: string, args: Record<string, unknown>): ScriptedTurn => ({
  toolCalls: [{ name, arguments: args }],
  usage: { promptTokens: 1000, completionTokens: 50 },
})

/**
 * The scripted model of an OpenHands agent solving demo features with their gold patches: which
 * feature(s) from the first user message, which step from the turns so far. In coop it messages
 * its teammate (`send_message`), applies its patch (`terminal`) and calls `finish`; in solo it
 * applies both features.
 */
export function openhandsGoldModel(features: FeatureRef[]) {
  return async (request: { body: { messages: Message[] } }) => {
    const messages = request.body.messages
    const task = textOf(messages.find((m) => m.role === 'user'))
    const mine = features.filter((f) => task.includes(f.spec))
    const steps = messages.filter((m) => m.role === 'assistant').length
    const team = /You are (agent\d+), working in a team with (agent\d+)/.exec(task)
    if (team && mine.length === 1) {
      const plan = [
        call('send_message', { to: team[2], content: `${team[1]} here: I am implementing feature ${mine[0]!.id}.` }),
        call('terminal', { command: `${heredoc('/tmp/gold.patch', mine[0]!.gold)}\ngit apply /tmp/gold.patch && rm /tmp/gold.patch` }),
        call('finish', { message: 'done' }),
      ]
      return plan[Math.min(steps, plan.length - 1)]!
    }
    if (!team && mine.length === 2) {
      const [a, b] = mine.sort((x, y) => x.id - y.id)
      return [call('terminal', { command: await soloApplyCommand(a!, b!) }), call('finish', { message: 'done' })][Math.min(steps, 1)]!
    }
    return textTurn(`cannot tell which feature this is (${mine.length} matched)`)
  }
}

/** Writes the stand-in OpenHands agent server's files (its `server.js` and what it loads) into `dir`. */
async function writeFakeOpenHandsServer(dir: string): Promise<void> {
  for (const [path, bytes] of await fakeOpenHandsServerFiles()) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), bytes)
  }
}

/**
 * Builds `tag`, an "agent server image" holding /usr/local/bin/openhands-agent-server as the
 * upstream release image does: here a self-extracting script that unpacks the stand-in server
 * and runs it. `context` is a new folder for the build; the caller removes the image.
 */
export async function buildFakeAgentServerImage(context: string, tag: string): Promise<void> {
  await writeFakeOpenHandsServer(join(context, 'files'))
  const archive = spawnSync('tar', ['-czf', '-', '-C', join(context, 'files'), '.'], { maxBuffer: 64 * 1024 * 1024 }).stdout.toString('base64')
  const unpack = '/var/tmp/cooperbench-fake-openhands'
  await writeFile(
    join(context, 'openhands-agent-server'),
    `#!/bin/sh\nset -e\nif [ ! -f ${unpack}/server.js ]; then mkdir -p ${unpack}; base64 -d <<'ARCHIVE' | tar -xz -C ${unpack}\n${archive}\nARCHIVE\nfi\nexec node ${unpack}/server.js "$@"\n`,
    { mode: 0o755 },
  )
  await writeFile(join(context, 'Dockerfile'), 'FROM cooperbench-demo-base:latest\nCOPY openhands-agent-server /usr/local/bin/openhands-agent-server\n')
  const made = spawnSync('docker', ['build', '-q', '--network', 'none', '-t', tag, context], { encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`cannot build ${tag}: ${made.stderr}`)
}

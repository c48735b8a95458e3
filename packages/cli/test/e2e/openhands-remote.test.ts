import { spawnSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer, connect, type Server } from 'node:net'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeOpenHandsServerFiles } from '@cooperbench/standins/openhands-server'
import { startScriptedLlmServer, textTurn, type ScriptedTurn } from '@cooperbench/testkit/llm-server'
import { type FeatureRef, featureIndex, heredoc } from './gold-features.js'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, REPO_ROOT, runCli, type Workdir, demoPair } from './helpers.js'

/**
 * `-a openhands` coop on the backends whose sandboxes the harness reaches only by commands
 * (modal and gcp, through their stand-ins): the server binary is layered by `images build
 * --agent openhands`, started by the bridge's default command, and reached through `exposePort`
 * (core's port relay over each backend's streamed exec). One pair each.
 */
const engine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0
if (!engine && process.env.CI) throw new Error('no Docker engine answers, and CI is set: the openhands stand-in e2e must run')
const REPO = 'textkit_task'
const NAMESPACE = `cb-oh-remote-${process.pid}`
const standin = (service: string) => pathToFileURL(join(REPO_ROOT, 'packages', 'standins', 'dist', service, 'index.js')).href

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

/** Each agent messages its teammate, applies its feature's gold patch, and finishes. */
function goldModel(features: FeatureRef[]) {
  return async (request: { body: { messages: Message[] } }) => {
    const task = textOf(request.body.messages.find((m) => m.role === 'user'))
    const mine = features.filter((f) => task.includes(f.spec))
    const team = /You are (agent\d+), working in a team with (agent\d+)/.exec(task)
    if (!team || mine.length !== 1) return textTurn(`cannot tell which feature this is (${mine.length} matched)`)
    const plan = [
      call('send_message', { to: team[2], content: `${team[1]} here: I am implementing feature ${mine[0]!.id}.` }),
      call('terminal', { command: `${heredoc('/tmp/gold.patch', mine[0]!.gold)}\ngit apply /tmp/gold.patch && rm /tmp/gold.patch` }),
      call('finish', { message: 'done' }),
    ]
    return plan[Math.min(request.body.messages.filter((m) => m.role === 'assistant').length, plan.length - 1)]!
  }
}

/** A port on every address of this machine forwarding to 127.0.0.1:`port` (for containers on Docker's bridge). */
async function forwardToLoopback(port: number): Promise<Server> {
  const server = createServer((socket) => {
    const upstream = connect(port, '127.0.0.1')
    socket.pipe(upstream).pipe(socket)
    socket.on('error', () => upstream.destroy())
    upstream.on('error', () => socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve))
  return server
}

describe.skipIf(!engine)('openhands_sdk coop on modal-standin and gcp-standin', () => {
  let llm: Awaited<ReturnType<typeof startScriptedLlmServer>>
  let forwarder: Server
  let w: Workdir
  const serverImage = `cooperbench-test-agent-server:remote-${process.pid}`
  const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }

  beforeAll(async () => {
    llm = await startScriptedLlmServer({ script: goldModel(await featureIndex(REPO)) as never })
    forwarder = await forwardToLoopback(Number(new URL(llm.url).port))
    w = await makeWorkdir('oh-remote', 'file')
    // An image holding /usr/local/bin/openhands-agent-server as the upstream release image does:
    // a script that unpacks the stand-in server and runs it.
    const context = join(w.cwd, 'server-image')
    for (const [path, bytes] of await fakeOpenHandsServerFiles()) {
      await mkdir(dirname(join(context, 'files', path)), { recursive: true })
      await writeFile(join(context, 'files', path), bytes)
    }
    const archive = spawnSync('tar', ['-czf', '-', '-C', join(context, 'files'), '.'], { maxBuffer: 64 * 1024 * 1024 }).stdout.toString('base64')
    const unpack = '/var/tmp/cooperbench-fake-openhands'
    await writeFile(
      join(context, 'openhands-agent-server'),
      `#!/bin/sh\nset -e\nif [ ! -f ${unpack}/server.js ]; then mkdir -p ${unpack}; base64 -d <<'ARCHIVE' | tar -xz -C ${unpack}\n${archive}\nARCHIVE\nfi\nexec node ${unpack}/server.js "$@"\n`,
      { mode: 0o755 },
    )
    await writeFile(join(context, 'Dockerfile'), 'FROM cooperbench-demo-base:latest\nCOPY openhands-agent-server /usr/local/bin/openhands-agent-server\n')
    const made = spawnSync('docker', ['build', '-q', '--network', 'none', '-t', serverImage, context], { encoding: 'utf8' })
    if (made.status !== 0) throw new Error(`cannot build ${serverImage}: ${made.stderr}`)
    await writeFile(
      join(w.cwd, 'modal-standin.mjs'),
      `import { modalStandinPlugin } from ${JSON.stringify(standin('modal'))}\nexport default modalStandinPlugin()\n`,
    )
    await writeFile(join(w.cwd, 'gcp-standin.mjs'), `import { gcpStandinPlugin } from ${JSON.stringify(standin('gcp'))}\nexport default gcpStandinPlugin()\n`)
    const config = {
      plugins: ['./modal-standin.mjs', './gcp-standin.mjs'],
      image: { namespace: NAMESPACE },
      backends: {
        docker: { network: 'none', buildNetwork: 'none', pull: 'never', buildArgs: { SERVER_IMAGE: serverImage } },
        // The server in the sandbox calls the scripted model: modal's sandboxes on the host's network,
        // gcp's on Docker's bridge (through the forwarder).
        'modal-standin': { blockNetwork: false, cpu: 1, memoryMiB: 1024 },
        'gcp-standin': { blockNetwork: false, poolSize: 1, sandboxesPerVm: 4, cpusPerSandbox: 1, memoryMiBPerSandbox: 1024 },
      },
      agents: { openhands_sdk: { poll_seconds: 0.5 } },
    }
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify(config))
    const built = await runCli(
      ['images', 'build', '-r', REPO, '-t', '7', '--dataset-dir', DEMO_DATASET, '--agent', 'openhands'],
      w.options({ timeoutMs: 600_000 }),
    )
    if (built.code !== 0) throw new Error(`images build failed: ${describeResult(built)}`)
  }, 900_000)
  afterAll(async () => {
    llm?.close()
    forwarder?.close()
    const images = spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', `${NAMESPACE}/*`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
    spawnSync('docker', ['image', 'rm', '-f', serverImage, ...images], { stdio: 'ignore' })
  }, 120_000)

  /** This machine's address on Docker's default bridge: its gateway, else (not always listed) the subnet's first address. */
  const gateway = (): string => {
    const [config] = JSON.parse(spawnSync('docker', ['network', 'inspect', 'bridge', '-f', '{{json .IPAM.Config}}'], { encoding: 'utf8' }).stdout) as Array<{
      Subnet: string
      Gateway?: string
    }>
    if (config?.Gateway) return config.Gateway
    const network = config!.Subnet.split('/')[0]!.split('.').map(Number)
    return [...network.slice(0, 3), network[3]! + 1].join('.')
  }

  for (const backend of ['modal-standin', 'gcp-standin'] as const) {
    it(`coop on ${backend}: both agents submit through the exposed port, messages and tokens recorded`, async () => {
      const base = backend === 'gcp-standin' ? `http://${gateway()}:${(forwarder.address() as { port: number }).port}/v1` : llm.url
      const run = `oh-${backend}`
      const r = await runCli(
        ['run', '-a', 'openhands', '-n', run, ...demoPair(), '--backend', backend, '-m', 'openai/scripted-model', '--model-base-url', base],
        w.options({ env, timeoutMs: 600_000 }),
      )
      expect(r.code, describeResult(r)).toBe(0)
      const dirs = await pairDirs(w.logs, run, 'coop')
      expect(dirs).toHaveLength(1)
      const result = await readJson(join(dirs[0]!, 'result.json'))
      for (const [name, agent] of Object.entries(result.agents as Record<string, { error?: unknown }>)) {
        expect(agent, `${name}: ${String(agent.error)}`).toMatchObject({ status: 'Submitted', steps: 3, input_tokens: 3000, output_tokens: 150 })
      }
      expect(result.messages_sent).toBe(2)
      expect((await readJson(join(w.logs, run, 'summary.json'))).eval).toMatchObject({ errors: 0 })
    }, 600_000)
  }
})

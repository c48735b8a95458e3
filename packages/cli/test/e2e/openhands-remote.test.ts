import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createServer, connect, type Server } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { featureIndex } from './gold-features.js'
import { expectPairsAsExpected } from './expected-verdicts.js'
import { DEMO_DATASET, demoPair, describeResult, dockerEngineAnswers, makeWorkdir, pairDirs, readJson, REPO_ROOT, runCli, type Workdir } from './helpers.js'
import { buildFakeAgentServerImage, openhandsGoldModel } from './openhands-support.js'

/**
 * `-a openhands` coop in containers: on docker, and on the backends whose sandboxes the harness
 * reaches only by commands (modal and gcp, through their stand-ins). The server binary is layered
 * by one `images build --agent openhands` for all three, started by the bridge's default command,
 * and reached through `exposePort` (on modal and gcp, core's port relay over each backend's
 * streamed exec). One pair each; its verdicts are the oracle's.
 */
const engine = dockerEngineAnswers('the openhands stand-in e2e')
const REPO = 'textkit_task'
const NAMESPACE = `cb-oh-remote-${process.pid}`
/** The module of `@cooperbench/dev-tools` whose plugin runs the real `service` backend over its stand-in. */
const standin = (service: string) => pathToFileURL(join(REPO_ROOT, 'packages', 'dev-tools', 'dist', `${service}-standin.js`)).href

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

describe.skipIf(!engine)('openhands_sdk coop on docker, modal-standin and gcp-standin', () => {
  let llm: Awaited<ReturnType<typeof startScriptedLlmServer>>
  let forwarder: Server
  let w: Workdir
  let built: Awaited<ReturnType<typeof runCli>>
  const serverImage = `cooperbench-test-agent-server:remote-${process.pid}`
  const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }

  beforeAll(async () => {
    llm = await startScriptedLlmServer({ script: openhandsGoldModel(await featureIndex(REPO)) as never })
    forwarder = await forwardToLoopback(Number(new URL(llm.url).port))
    w = await makeWorkdir('oh-remote', 'file')
    await buildFakeAgentServerImage(join(w.cwd, 'server-image'), serverImage)
    await writeFile(
      join(w.cwd, 'modal-standin.mjs'),
      `import { modalStandinPlugin } from ${JSON.stringify(standin('modal'))}\nexport default modalStandinPlugin()\n`,
    )
    await writeFile(join(w.cwd, 'gcp-standin.mjs'), `import { gcpStandinPlugin } from ${JSON.stringify(standin('gcp'))}\nexport default gcpStandinPlugin()\n`)
    const config = {
      plugins: ['./modal-standin.mjs', './gcp-standin.mjs'],
      image: { namespace: NAMESPACE },
      backends: {
        docker: { network: 'host', buildNetwork: 'none', pull: 'never', buildArgs: { SERVER_IMAGE: serverImage } },
        // The server in the sandbox calls the scripted model: docker's and modal's sandboxes on the
        // host's network, gcp's on Docker's bridge (through the forwarder).
        'modal-standin': { blockNetwork: false, cpu: 1, memoryMiB: 1024 },
        'gcp-standin': { blockNetwork: false, poolSize: 1, sandboxesPerVm: 4, cpusPerSandbox: 1, memoryMiBPerSandbox: 1024 },
      },
      agents: { openhands_sdk: { poll_seconds: 0.5 } },
    }
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify(config))
    built = await runCli(['images', 'build', '-r', REPO, '-t', '7', '--dataset-dir', DEMO_DATASET, '--agent', 'openhands'], w.options({ timeoutMs: 600_000 }))
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

  it('`images build --agent openhands` layers the server binary onto the task images (-oh images)', () => {
    expect(built.stdout).toMatch(/:task\d+-oh\s+built/)
  })

  for (const backend of ['docker', 'modal-standin', 'gcp-standin'] as const) {
    it(`coop on ${backend}: both agents submit through the exposed port, messages, tokens and the harness's diff recorded, verdicts equal the oracle's`, async () => {
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
      const agents = Object.entries(result.agents as Record<string, { error?: unknown }>)
      expect(agents).toHaveLength(2)
      for (const [name, agent] of agents) {
        expect(agent, `${name}: ${String(agent.error)}`).toMatchObject({
          status: 'Submitted',
          steps: 3,
          input_tokens: 3000,
          output_tokens: 150,
          patch_source: 'harness_diff',
        })
      }
      expect(result.messages_sent).toBe(2)
      const conversation = (await readJson(join(dirs[0]!, 'conversation.json'))) as Array<{ from: string; to: string }>
      expect(conversation.map((m) => m.from).sort(), 'each agent messaged its teammate').toEqual(['agent1', 'agent2'])
      expect((await readJson(join(w.logs, run, 'summary.json'))).eval).toMatchObject({ errors: 0 })
      expectPairsAsExpected(dirs, 'coop')
    }, 600_000)
  }
})

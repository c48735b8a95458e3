import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ImageLayer } from '@cooperbench/spec'
import { layeredImageName } from '@cooperbench/backend-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BASE_IMAGE,
  closeBackends,
  type DockerTaskFixture,
  dockerCli,
  engineAnswers,
  engineSkipReason,
  ensureBaseImage,
  makeTaskFixture,
  newBackend,
  removeTestLeftovers,
  testImageSuffix,
} from './fixture.js'

/**
 * An agent layer's program must start in every layered image: `images build --agent` runs the
 * layer's smoke test and fails, naming the cause, when it cannot (the upstream OpenHands server
 * is a glibc build, which a musl image such as Alpine cannot load). The "server" here is this
 * machine's `/bin/true` with its ELF interpreter renamed to a loader no image has, which fails as
 * a glibc binary fails on musl: the kernel finds no loader, the shell says "not found", exit 127.
 */
describe.skipIf(!engineAnswers)(`agent layers' smoke test (${engineAnswers ? 'engine answers' : engineSkipReason})`, () => {
  let fixture: DockerTaskFixture
  let context: string
  const serverImages = { runs: `cooperbench-test/server-runs-${testImageSuffix}:1`, broken: `cooperbench-test/server-broken-${testImageSuffix}:1` }

  beforeAll(async () => {
    await ensureBaseImage()
    fixture = await makeTaskFixture()
    context = await mkdtemp(join(tmpdir(), 'cb-smoke-'))
    const unloadable = [
      'import re',
      "data = open('/bin/true', 'rb').read()",
      "loader = re.search(rb'/lib[^\\x00]*/ld-linux[^\\x00]*', data).group(0)",
      "missing = b'/lib/ld-nowhere.so'.ljust(len(loader), b'\\x00')",
      "open('/usr/local/bin/openhands-agent-server', 'wb').write(data.replace(loader, missing))",
    ].join('\n')
    await writeFile(join(context, 'unloadable.py'), unloadable)
    await writeFile(join(context, 'Dockerfile.runs'), `FROM ${BASE_IMAGE}\nRUN cp /bin/true /usr/local/bin/openhands-agent-server\n`)
    await writeFile(
      join(context, 'Dockerfile.broken'),
      `FROM ${BASE_IMAGE}\nCOPY unloadable.py /tmp/\nRUN python3 /tmp/unloadable.py && chmod 755 /usr/local/bin/openhands-agent-server\n`,
    )
    for (const [kind, tag] of Object.entries(serverImages)) {
      const made = spawnSync('docker', ['build', '-q', '--network', 'none', '-f', join(context, `Dockerfile.${kind}`), '-t', tag, context], {
        encoding: 'utf8',
      })
      if (made.status !== 0) throw new Error(`cannot build ${tag}: ${made.stderr}`)
    }
  }, 300_000)
  afterAll(async () => {
    await closeBackends()
    await removeTestLeftovers()
    await fixture?.fixture.cleanup()
    if (context) await rm(context, { recursive: true, force: true })
  }, 120_000)

  /** The OpenHands layer's shape; `musl` also puts musl's loader name into the image, as Alpine has it. */
  const layer = (musl: boolean): ImageLayer => ({
    owner: 'agent openhands_sdk',
    tagSuffix: musl ? '-ohmusl' : '-oh',
    dockerfile: [
      'ARG BASE_IMAGE',
      'ARG SERVER_IMAGE',
      'FROM ${SERVER_IMAGE} AS server',
      'FROM ${BASE_IMAGE}',
      'COPY --from=server /usr/local/bin/openhands-agent-server /usr/local/bin/openhands-agent-server',
      ...(musl ? ['RUN touch /lib/ld-musl-x86_64.so.1'] : []),
      '',
    ].join('\n'),
    smokeTest: ['/usr/local/bin/openhands-agent-server', '--help'],
  })

  it('a program that starts: the layered image is built and kept', async () => {
    const backend = newBackend({ buildArgs: { SERVER_IMAGE: serverImages.runs } })
    const [prepared] = await backend.prepareTasks([fixture.task], { concurrency: 1, layer: layer(false), force: true })
    expect(prepared, prepared?.error ?? '').toMatchObject({ action: 'built', error: null })
    expect(spawnSync('docker', ['image', 'inspect', prepared!.image], { stdio: 'ignore' }).status).toBe(0)
  }, 300_000)

  it('a program that cannot start: the build fails naming the program, the exit and the C library, and leaves no image', async () => {
    const backend = newBackend({ buildArgs: { SERVER_IMAGE: serverImages.broken } })
    for (const musl of [false, true]) {
      const [prepared] = await backend.prepareTasks([fixture.task], { concurrency: 1, layer: layer(musl), force: true })
      const image = layeredImageName(backend.imageFor(fixture.task), layer(musl).tagSuffix)
      expect(prepared).toMatchObject({ action: 'failed', image })
      expect(prepared!.error).toContain(
        `agent openhands_sdk's program cannot run in ${image}: \`/usr/local/bin/openhands-agent-server --help\` could not be started (exit 127`,
      )
      expect(prepared!.error).toMatch(/openhands-agent-server: .*not found/)
      if (musl) expect(prepared!.error).toContain('is a musl image (Alpine) and the program needs glibc')
      else expect(prepared!.error).not.toContain('musl')
      expect(spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status, `${image} was kept`).not.toBe(0)
    }
    expect(await dockerCli('ps', '-aq', '--filter', 'label=cooperbench.built-image=smoke-test')).toBe('')
  }, 300_000)
})

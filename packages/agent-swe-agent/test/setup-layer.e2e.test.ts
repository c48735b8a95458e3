import { execFile, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { sweAgentSetupLayer } from '../src/setup-layer.js'
import { readSweAgentConfig } from '../src/swe-config.js'

/**
 * The set-up layer built as the docker backend builds it (the task image as `BASE_IMAGE`, the image's user as
 * `IMAGE_USER`, no network), here with the `docker` CLI on the demo base image: what a bundle's install.sh leaves
 * is in the image every sandbox of it starts from, and the bundles' copy is not.
 */
const run = promisify(execFile)
const BASE_IMAGE = 'cooperbench-demo-base:latest'
const engine = spawnSync('docker', ['image', 'inspect', BASE_IMAGE], { stdio: 'ignore' }).status === 0
if (!engine && process.env.CI) throw new Error(`no Docker engine with ${BASE_IMAGE} answers, and CI is set: the set-up layer must be built`)
const image = `cooperbench-test/swe-agent-setup:${randomBytes(4).toString('hex')}`
afterAll(() => spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' }))

/** A configuration whose one bundle's install.sh leaves a mark: who ran it, where, in what environment. */
function markingConfig() {
  const root = mkdtempSync(join(tmpdir(), 'cb-swe-setup-'))
  mkdirSync(join(root, 'tools', 'marker', 'bin'), { recursive: true })
  writeFileSync(join(root, 'tools', 'marker', 'config.yaml'), 'tools: {}\n')
  writeFileSync(join(root, 'tools', 'marker', 'bin', 'marked'), '#!/usr/bin/env python3\n')
  const mark = 'echo "$(id -un) in $PWD, PIP_PROGRESS_BAR=$PIP_PROGRESS_BAR, PIP_RETRIES=$PIP_RETRIES, marked on PATH: $(command -v marked)"'
  writeFileSync(join(root, 'tools', 'marker', 'install.sh'), `${mark} > /usr/local/share/swe-agent-setup-mark\n`)
  const agent = { templates: { instance_template: '{{problem_statement}}' }, tools: { bundles: [{ path: 'tools/marker' }] } }
  return readSweAgentConfig({ agent, config_root: root })
}

describe.skipIf(!engine)(`the set-up layer on a real engine${engine ? '' : ` (skipped: no ${BASE_IMAGE})`}`, () => {
  it("runs each bundle's install.sh once, in the image, and leaves no copy of the bundles", { timeout: 180_000 }, async () => {
    const layer = sweAgentSetupLayer(markingConfig())!
    const context = mkdtempSync(join(tmpdir(), 'cb-swe-setup-context-'))
    writeFileSync(join(context, 'Dockerfile'), layer.dockerfile)
    for (const file of layer.files!) {
      mkdirSync(dirname(join(context, file.path)), { recursive: true })
      cpSync(file.hostPath, join(context, file.path))
    }
    const args = ['--network', 'none', '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--build-arg', 'IMAGE_USER=root', '-t', image, context]
    const build = await run('docker', ['build', ...args], { maxBuffer: 16 * 1024 * 1024 })
    // No index answers in a build without network: said, and pip would not have retried.
    expect(`${build.stdout}${build.stderr}`).toContain('the sandbox reaches no package index')
    const seen = await run('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'sh',
      image,
      '-c',
      'cat /usr/local/share/swe-agent-setup-mark; ls /tmp',
    ])
    expect(seen.stdout.split('\n')[0]).toBe(
      'root in /tmp/cooperbench-swe-agent-setup/marker, PIP_PROGRESS_BAR=off, PIP_RETRIES=0, marked on PATH: /tmp/cooperbench-swe-agent-setup/marker/bin/marked',
    )
    expect(seen.stdout).not.toContain('cooperbench-swe-agent-setup\n')
  })
})

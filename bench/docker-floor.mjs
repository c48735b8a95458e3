// The physical floor of one evaluation on Docker, straight on the Engine API (dockerode, as the
// docker backend uses it) and not through cooperbench's backend: a container of the task's image
// created and started, one tar upload, `bash -c` for the merge and for each runner.sh run, forced
// removal. What the backend adds (the startup probe, login shells, the exec wrapper) is therefore
// overhead here, as it is for the reference's own measurement.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { root } from './lib.mjs'

const require = createRequire(join(root, 'packages/backend-docker/package.json'))
const Docker = require('dockerode')
// The backend's own archive maker: packing is not what the floor measures.
const { packFiles } = await import(join(root, 'packages/backend-docker/dist/archive.js'))

const docker = new Docker()

/** Runs `script` with `bash -c` in the container and waits until it has ended. */
async function run(container, script) {
  const exec = await container.exec({ Cmd: ['bash', '-c', script], WorkingDir: '/workspace/repo', AttachStdout: true, AttachStderr: true })
  const stream = await exec.start({ hijack: true, stdin: false })
  await new Promise((resolve, reject) => {
    stream.on('end', resolve)
    stream.on('close', resolve)
    stream.on('error', reject)
    stream.resume()
  })
}

/**
 * Milliseconds for: create + start, upload `files`, `mergeScript`, each of `testScripts`, remove;
 * `{ total, phases }` with the same phase names as eval.json's timings. `network: none`, an init
 * process and the backend's `limits` ({ cpus, memory, pids }), as the backend runs its containers.
 */
export async function physicalDockerFloor(image, files, mergeScript, testScripts, limits) {
  const started = performance.now()
  const phases = {}
  let last = started
  const mark = (phase) => {
    const now = performance.now()
    phases[phase] = now - last
    last = now
  }
  const container = await docker.createContainer({
    Image: image,
    // A floor left behind by a killed bench ends by itself.
    Entrypoint: ['sleep', '600'],
    Cmd: [],
    WorkingDir: '/workspace/repo',
    Labels: { 'cooperbench.bench': 'physical-floor' },
    HostConfig: { Init: true, NetworkMode: 'none', NanoCpus: Math.round(limits.cpus * 1e9), Memory: limits.memory, PidsLimit: limits.pids },
  })
  try {
    await container.start()
    mark('sandbox')
    await container.putArchive(packFiles([...files].map(([path, data]) => ({ path, data, mode: 0o644 }))), { path: '/' })
    mark('write')
    await run(container, mergeScript)
    mark('setup')
    for (const [i, script] of testScripts.entries()) {
      await run(container, script)
      mark(`feature${i + 1}`)
    }
  } finally {
    await container.remove({ force: true, v: true })
    mark('remove')
  }
  return { total: performance.now() - started, phases }
}

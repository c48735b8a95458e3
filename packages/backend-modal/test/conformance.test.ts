import { describeBackendConformance } from '@cooperbench/testkit'
import { ensureTaskImage, imageOf, modalOverStandin, skipReason } from './fixture.js'

// The real modal backend (exec wrapper, file transfer over exec, tags, cleanup) through the
// stand-in of Modal's SDK boundary, whose sandboxes are containers on the local engine.
describeBackendConformance('modal (stand-in)', {
  skip: skipReason,
  timeoutMs: 60_000,
  image: imageOf,
  // Sandboxes on the host's network: the --git check reaches the pair's git server through its tunnel.
  createBackend: () => modalOverStandin({ blockNetwork: false }).backend,
  prepare: async (task) => {
    await ensureTaskImage(task)
  },
})

import { describeBackendConformance } from '@cooperbench/testkit'
import { HostFoldersBackend } from '../src/index.js'

// Host processes: bash, git and python3 on this machine are all the fixture task needs.
describeBackendConformance('host-folders', { createBackend: () => new HostFoldersBackend() })

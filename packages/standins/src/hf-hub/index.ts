export { gitBlobSha1, lfsPointer, repoFilesFromFolder, sha256Hex, type TreeEntry } from './repo-tree.js'
export { startHfHubStandIn } from './server.js'
export type { HfHubRequest, HfHubStandIn, HfHubStandInOptions } from './types.js'

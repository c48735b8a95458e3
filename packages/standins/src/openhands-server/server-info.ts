import type { JsonObject } from './json.js'

/** GET /server_info (server_details_router.py ServerInfo), as the real server answers it (fixtures/openhands-server/server-info.json). */
export function serverInfo(version: string, startTime: number, lastEventTime: number): JsonObject {
  const now = Date.now()
  return {
    uptime: Math.floor((now - startTime) / 1000),
    idle_time: Math.floor((now - lastEventTime) / 1000),
    title: 'OpenHands Agent Server',
    version,
    sdk_version: version,
    tools_version: version,
    workspace_version: version,
    build_git_sha: 'unknown',
    build_git_ref: 'unknown',
    python_version: `node ${process.version} (cooperbench stand-in)`,
    usable_tools: ['terminal', 'finish'],
    runtime_idle_timeout_seconds: null,
    capabilities: [],
    max_foreground_terminal_timeout_seconds: null,
    docs: '/docs',
    redoc: '/redoc',
  }
}

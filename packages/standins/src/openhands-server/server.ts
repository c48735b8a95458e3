/**
 * A stand-in of the OpenHands agent server (package openhands-agent-server of
 * OpenHands/software-agent-sdk) for tests of a bridge that drives it. It is a self-contained Node
 * program: this entry and the modules beside it (every module of this folder but index.ts, which
 * only packages them), compiled, plus the `ws` package in `node_modules/ws` (see
 * `fakeOpenHandsServerFiles()`), so it can be copied into any sandbox that has `node` and `bash`.
 * Its modules import nothing but `node:*` built-ins, `ws` and each other.
 *
 * It speaks the subset of the REST + WebSocket API a bridge uses, with the JSON shapes the real
 * server dumps (pydantic `model_dump(mode="json")`, snake_case, the `kind` discriminator naming
 * the class), and runs a real, minimal agent loop: an OpenAI-compatible `POST
 * {llm.base_url}/chat/completions` per step with the tools `terminal` (commands run with bash in
 * the workspace), `finish`, and every client tool of the conversation.
 *
 * Usage:
 *   node server.js [--host HOST] [--port PORT] [fault flags]
 *
 *   --host HOST      Bind address. Default as upstream's __main__.py: 127.0.0.1 without a session
 *                    key, 0.0.0.0 with one.
 *   --port PORT      Default 8000 (0 picks a free port; the chosen one is printed).
 *   Accepted and ignored (upstream flags): --reload, --import-modules X, --extra-python-path X.
 *
 * Auth (upstream config.py): the session keys come from OH_SESSION_API_KEYS_0, _1, … when
 * OH_SESSION_API_KEYS_0 is set, else from SESSION_API_KEY. With a key, every /api/* route needs
 * the header `X-Session-API-Key` (401 otherwise); /alive, /health, /ready, /server_info and / stay
 * open; WebSockets authenticate as sockets.py does (query `session_api_key` or the header, else a
 * first frame `{"type":"auth","session_api_key":…}` within 10 s; close code 4001 when wrong).
 *
 * Fault knobs (flag, or environment variable):
 *   --drop-ws-after N      OH_FAKE_DROP_WS_AFTER   Abruptly end (TCP reset, no close frame) an
 *                          event socket once it has sent N frames (the initial state snapshot and
 *                          resent events count). Events keep being recorded, so a reconnect with
 *                          resend_mode=since recovers them.
 *   --drop-ws-times K      OH_FAKE_DROP_WS_TIMES   How many sockets of each conversation are
 *                          dropped that way (default 1: the fault fires once per conversation).
 *   --hang run|llm         OH_FAKE_HANG            `run`: conversations are accepted and runs are
 *                          acknowledged, but nothing runs (the status stays idle). `llm`: a run
 *                          starts (status running) and its first step never calls the LLM and
 *                          never ends (until interrupt, pause+interrupt or DELETE).
 *   --startup-delay-ms N   OH_FAKE_STARTUP_DELAY_MS  /ready answers 503 {"status":"initializing"}
 *                          and /api/* 503 for N ms after start.
 *   --command-timeout S    OH_FAKE_COMMAND_TIMEOUT  Hard timeout of a terminal command when the
 *                          action sets none (default 300 s); on expiry the command's process group
 *                          is killed and the observation says so (exit_code -1).
 *   --reset-status-reads N OH_FAKE_RESET_STATUS_READS  The first N reads of a conversation
 *                          (`GET /api/conversations/{id}`) drop their connection with no answer,
 *                          as a flaky network or port relay does.
 *   --server-version 1.Y.Z  The version /server_info reports (default 1.43.1, the recorded one); an
 *                          older one takes away what came later: /ready (1.12), /interrupt (1.23),
 *                          client_tools (1.28).
 *
 * As the real server does (upstream-habits.ts, checked against recordings of 1.43.1): the title
 * model call unless `autotitle: false`, state files under its working directory
 * (`workspace/conversations/<id>/`, removed on DELETE), the condenser's 422 on a too small max_size.
 *
 * Left out on purpose: reading persisted state back (conversations live in memory), condensing, confirmation mode,
 * security analyzers, hooks, plugins, skills, sub-agents, streaming, file_editor and the other
 * tools (only `terminal`, `finish` and client tools are offered whatever `agent.tools` says), the
 * bash/file/git/vscode routers. Terminal sessions are emulated: each command runs in a fresh
 * `bash -c` that restores the previous command's exported variables and working directory.
 */
import { parseConfig } from './config.js'
import { FakeAgentServer } from './http-server.js'

/** __main__.py: parses the flags, listens, prints the start lines uvicorn prints, and stops on SIGTERM or SIGINT. */
async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env)
  const server = new FakeAgentServer(config)
  let port: number
  try {
    port = await server.listen()
  } catch (error) {
    process.stderr.write(
      `fake openhands agent server: cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}\n`,
    )
    process.exit(1)
  }
  process.stdout.write(`Starting OpenHands Agent Server on ${config.host}:${port}\n`)
  process.stdout.write(`INFO:     Uvicorn running on http://${config.host}:${port} (Press CTRL+C to quit)\n`)
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    const timer = setTimeout(() => process.exit(0), 3000)
    timer.unref()
    server.close().then(
      () => process.exit(0),
      () => process.exit(0),
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`fake openhands agent server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})

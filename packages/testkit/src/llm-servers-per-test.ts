import { afterEach } from 'vitest'
import { type ScriptedLlmServer, type ScriptedLlmServerOptions, startScriptedLlmServer } from './llm-server/index.js'

/**
 * For a vitest file whose tests each start their own scripted model servers: returns a `start`
 * whose servers close after the test that started them. Call it at the top level of the file
 * (it registers an `afterEach`).
 */
export function scriptedLlmServersPerTest(): (options: ScriptedLlmServerOptions) => Promise<ScriptedLlmServer> {
  const servers: ScriptedLlmServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })
  return async (options) => {
    const server = await startScriptedLlmServer(options)
    servers.push(server)
    return server
  }
}

import { CooperbenchError } from '@cooperbench/spec'
import { Flags } from '@oclif/core'
import { DevCommand } from '../../dev-command.js'

export default class DevModelServer extends DevCommand {
  static override summary = "Serve a scripted model that solves the dataset's features with their gold patches: LLM agents with no key and no network."
  static override description =
    'Starts an OpenAI-compatible server on 127.0.0.1 whose model, as an agent of a coop, team, sequential or solo run, applies the gold patch of its ' +
    'feature(s) and submits, recognising them by their feature.md in the task; coop teammates first exchange a question and a reply ' +
    '(with --git, the asker also pushes its branch and the replier fetches it); a team (--setting team) plans in the scratchpad, ' +
    "claims its tasks, leaves the members' patches for the lead, who integrates them; a planner of the plan-execute example writes " +
    'plan.txt instead (its feature in it), which its executor then implements; a sequential agent (--setting sequential) runs the earlier ' +
    "agents' checks, applies its patch on their work and leaves a check of its own. Point an LLM agent at it with `-m openai/scripted-model " +
    '--model-base-url <the printed URL>` to see a real agent loop, trajectories, messages and evaluation end to end, offline. ' +
    'It is a scripted stand-in for a model, not a model: its pass rates say nothing about any agent. Ctrl+C stops it.'
  static override examples = ['<%= config.bin %> dev model-server', '<%= config.bin %> dev model-server --port 8123 --dataset-dir ./dataset']
  static override flags = {
    port: Flags.integer({ description: 'Port on 127.0.0.1 (0: any free port).', default: 0, min: 0, max: 65535 }),
    'dataset-dir': Flags.string({ description: 'Dataset root.', helpValue: 'DIR' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(DevModelServer)
    // Loaded here, not at the top: oclif reads this module for the command's help and flags.
    const [{ loadDotEnv, resolveConfig }, { goldDatasetScript, startScriptedLlmServer }] = await Promise.all([
      import('@cooperbench/config'),
      import('@cooperbench/testkit/llm-server'),
    ])
    const cwd = process.cwd()
    const { config } = await resolveConfig({ cwd, env: loadDotEnv(cwd), flags: { datasetDir: flags['dataset-dir'] } })
    const script = await goldDatasetScript(config.datasetDir)
    const server = await startScriptedLlmServer({ script, port: flags.port }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error
      throw new CooperbenchError('USAGE', `port ${flags.port} on 127.0.0.1 is taken: another program listens on it`, {
        hint: 'Choose another --port, or leave it out for any free port (`ss -ltnp` shows which program holds it).',
      })
    })
    const dataset = flags['dataset-dir'] ? ` --dataset-dir ${flags['dataset-dir']}` : ''
    process.stdout.write(`scripted model server: ${server.url} (model openai/scripted-model, dataset ${config.datasetDir})\n`)
    process.stdout.write(`try: ${this.config.bin} run -s demo -m openai/scripted-model --model-base-url ${server.url}${dataset}\n`)
    process.stderr.write('answers every request with the gold patches of the features it recognises; Ctrl+C stops it\n')
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await server.close()
  }
}

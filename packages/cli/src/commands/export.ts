import { Flags } from '@oclif/core'
import { ExitCode, isCooperbenchError } from '@cooperbench/core'
import { EXPORT_FORMATS, type ExportResult } from '@cooperbench/report'
import { exportRun } from '../api/export.js'
import { BaseCommand } from '../base-command.js'
import { datasetDirFlag, logDirFlag } from '../flags.js'
import { withInterruption } from '../interrupt.js'

export default class Export extends BaseCommand {
  static override summary = "Export runs' agent trajectories for others to use: ATIF-v1.7 documents, or a chat-format SFT file."
  static override description =
    "--format atif writes one ATIF-v1.7 trajectory (Harbor's Agent Trajectory Interchange Format) per agent of every finished pair, " +
    'at <out>/<run>/<setting>/<repo>/<task>/<pair>/<agent>.atif.json: a step per message, tool calls with their observations, ' +
    'per-step tokens and cost where the agent recorded them; the pair, setting, role, features, verdicts, the messages between ' +
    "agents and the task list's events under extra.cooperbench; a pair's agents share session_id, and a team's lead references " +
    "each member's file. --format sft writes <out>/train.jsonl, one row per agent: messages in mini-SWE's shape " +
    "(every shell tool is `bash`) ending on the model's last turn, the tools, and columns to filter on; " +
    '`datasets.load_dataset("json", data_dir=OUT)` loads it. ' +
    "Secrets and this machine's paths are replaced. A trajectory missing or unreadable is named and the export exits 1. " +
    'Files appear only once the export is whole: stopped (Ctrl+C) or failed, it writes nothing.'
  static override examples = [
    '<%= config.bin %> export -n team-msa-gemini-3-flash-demo --format atif',
    '<%= config.bin %> export -n coop-run -n team-run --format sft --passed-features --role lead --out distill',
  ]
  static override enableJsonFlag = true
  static override flags = {
    name: Flags.string({ char: 'n', description: 'Run name (repeat for several runs).', multiple: true, required: true }),
    format: Flags.option({ options: EXPORT_FORMATS, required: true, description: 'atif: one ATIF-v1.7 file per agent; sft: one JSONL file.' })(),
    out: Flags.string({ char: 'o', description: 'Folder to write to (default ./export/<format>).', helpValue: 'DIR' }),
    'passed-pairs': Flags.boolean({ description: 'Only pairs whose every feature passed.', default: false }),
    'passed-features': Flags.boolean({ description: "Only agents whose own features passed (a failed pair's agent can have passed).", default: false }),
    setting: Flags.string({ description: 'Only these settings (coop, solo, team, …; repeatable).', multiple: true }),
    role: Flags.string({
      description: "Only these roles (solo, peer, lead, member, or a setting's own, such as planner; repeatable).",
      multiple: true,
    }),
    agent: Flags.string({ char: 'a', description: 'Only these agents (repeatable).', multiple: true }),
    model: Flags.string({ char: 'm', description: 'Only these models (repeatable).', multiple: true }),
    ...logDirFlag,
    ...datasetDirFlag,
  }

  async run(): Promise<ExportResult> {
    const { flags } = await this.parse(Export)
    const exporting = (signal: AbortSignal) =>
      exportRun({
        runNames: flags.name,
        format: flags.format,
        outDir: flags.out,
        logDir: flags['log-dir'],
        datasetDir: flags['dataset-dir'],
        filter: {
          passedPairs: flags['passed-pairs'],
          passedFeatures: flags['passed-features'],
          settings: flags.setting,
          roles: flags.role,
          agents: flags.agent,
          models: flags.model,
        },
        signal,
      })
    // Ctrl+C: the export removes what it half-wrote, and says so in one line (an export has nothing to resume).
    const result = await withInterruption(exporting, undefined, null).catch((error: unknown) => {
      if (!isCooperbenchError(error) || error.code !== 'INTERRUPTED') throw error
      if (process.stderr.isTTY) process.stderr.write('\n')
      this.printError(`${error.message}: nothing exported, no file written`, undefined, [], error.code, error.exitCode)
      return this.exit(error.exitCode)
    })
    for (const { trajectory, problem } of result.problems) process.stderr.write(`warning: not exported: ${trajectory} ${problem}\n`)
    if (result.problems.length > 0) process.exitCode = ExitCode.failure
    if (!this.jsonEnabled()) {
      const where = result.format === 'sft' ? result.files[0] : `${result.files.length} files`
      const filtered = result.filteredOut > 0 ? ` (${result.filteredOut} left out by the filters)` : ''
      this.log(`exported ${result.trajectories} trajectories as ${result.format}${filtered}: ${where}`)
    }
    return result
  }
}

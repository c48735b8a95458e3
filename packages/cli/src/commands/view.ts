import { Flags } from '@oclif/core'
import { DEFAULT_PORT, exportViewer, openInBrowser, startViewer } from '@cooperbench/viewer'
import { BaseCommand } from '../base-command.js'
import { counted } from '../ui/counted.js'
import { logDirFlag } from '../flags.js'
import { settingReporters } from '../api/host.js'
import { openCommandHost } from '../context.js'

export default class View extends BaseCommand {
  static override summary = 'Show what the agents did in the browser: rates, deficits and merges as charts, each pair on a timeline.'
  static override description =
    'Serves a local web app on 127.0.0.1 that reads the run folders as they are, and re-reads them every few seconds, so a page left open follows a run that is still going. ' +
    'The overview draws the numbers of `cooperbench report` (pass rates with 95% intervals per setting and repository, strict rates, merge outcomes, cost, tokens, ' +
    'and for a solo and a coop run of the same configuration the relative coordination deficit with its paired interval and agreement table; runs that differ are shown greyed out with why; ' +
    '--solo RUN --coop RUN names the two to compare); ' +
    "the pair list filters and sorts the pairs; a pair page puts each agent on a lane of a shared time axis with its steps, the messages between them, git pushes and fetches, the final patches side by side, the merge and each feature's tests. " +
    'Without -n every run of the log dir is shown. --export DIR writes the same app with the data as a static folder that opens from the file system or any static host.'
  static override examples = [
    '<%= config.bin %> view',
    '<%= config.bin %> view -n solo-run -n coop-run --open',
    '<%= config.bin %> view --solo solo-run --coop coop-run',
    '<%= config.bin %> view -n coop-run --export coop-run-view',
  ]
  static override flags = {
    name: Flags.string({ char: 'n', description: 'Run name (repeat for several runs); default: every run of the log dir.', multiple: true }),
    port: Flags.integer({ description: `Port on 127.0.0.1 (0: any free port). [default: ${DEFAULT_PORT}]`, min: 0, max: 65535 }),
    open: Flags.boolean({ description: "Open the page in the system's browser.", default: false }),
    solo: Flags.string({
      description: 'The solo run of the deficit (with --coop); refused when its configuration differs.',
      helpValue: 'RUN',
      dependsOn: ['coop'],
    }),
    coop: Flags.string({ description: 'The coop run of the deficit (with --solo).', helpValue: 'RUN', dependsOn: ['solo'] }),
    export: Flags.string({ description: 'Write a static copy (app and data) to DIR instead of serving.', helpValue: 'DIR' }),
    ...logDirFlag,
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(View)
    // The plugins as `run` loads them: each installed setting's part of the overview.
    const { config, services } = await openCommandHost(this.config, {}, undefined, false)
    // Without --log-dir, the one `run` and `eval` use: the config file's, COOPERBENCH_LOG_DIR, else ./logs.
    const logDir = flags['log-dir'] ?? config.logDir
    const compare = flags.solo && flags.coop ? { solo: flags.solo, coop: flags.coop } : undefined
    const source = { logDir, runs: flags.name ?? [], ...(compare ? { compare } : {}), reporters: settingReporters(services.registry) }
    if (flags.export) {
      const exported = await exportViewer({ ...source, outDir: flags.export })
      process.stdout.write(`wrote ${exported.index} (${counted(exported.runs, 'run')}, ${counted(exported.pairs, 'pair')})\n`)
      if (exported.problems.length > 0) process.stderr.write(`${unreadableWarning(exported)}\n`)
      if (flags.open) await this.open(exported.index)
      return
    }
    const viewer = await startViewer({ ...source, port: flags.port ?? DEFAULT_PORT })
    process.stdout.write(`cooperbench view: ${viewer.url}\n`)
    process.stderr.write('reading the run folders as they change; Ctrl+C stops the server\n')
    if (flags.open) await this.open(viewer.url)
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        void viewer.close().then(resolve)
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
  }

  private async open(target: string) {
    const problem = await openInBrowser(target)
    if (problem) process.stderr.write(`could not open a browser: ${problem}; open ${target} yourself\n`)
  }
}

/** One line on what the export could not read: how many, and where each is named with why. */
function unreadableWarning({ unreadablePairs, problems }: { unreadablePairs: number; problems: string[] }) {
  const files = `${counted(problems.length, 'file')} could not be read`
  const pairs = unreadablePairs > 0 ? ` (${counted(unreadablePairs, 'pair')} shown as unreadable, left out of every rate)` : ''
  return `warning: ${files}${pairs}; the export's overview lists each with why under "Files that could not be read"`
}

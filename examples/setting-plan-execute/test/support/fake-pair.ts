import type { AgentSummaryRecord, Seat, SeatOutcome, SettingPair, Task } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'

/** How a fake seat ends: its record's status, cost and steps, and the plan it hands in (undefined: none). */
export interface SeatPlay {
  status?: string
  cost?: number
  steps?: number
  error?: string | null
  failure?: AgentSummaryRecord['failure']
  artifact?: string
  patch?: string
}

/** A pair as the harness hands it to a setting, with seats that end as `play` says, and what the setting did with it. */
export interface FakePair {
  pair: SettingPair
  /** Each `runSeats` call: its phase and seats, in order. */
  phases: Array<{ phase: string | undefined; seats: Seat[] }>
  /** The files the setting wrote into the pair folder. */
  files: Map<string, unknown>
  channels: string[]
  warnings: string[]
}

/**
 * A stand-in for the harness's `SettingPair` in unit tests of the protocol: no sandbox or agent
 * runs; each seat's outcome comes from `play(seat, phase)`. The packed plugin runs on the real
 * harness in packages/cli/test/e2e/composed-settings.test.ts.
 */
export function fakePair(options: { features?: number[]; messaging?: boolean; git?: boolean; play: (seat: Seat, phase?: string) => SeatPlay }): FakePair {
  const features = options.features ?? [2, 4]
  const phases: FakePair['phases'] = []
  const files = new Map<string, unknown>()
  const channels: string[] = []
  const warnings: string[] = []
  const pair: SettingPair = {
    task: { repo: 'textkit_task', taskId: 12 } as Task,
    features,
    runId: 'abcd1234',
    options: {},
    run: { messaging: options.messaging ?? true, git: options.git ?? false, features: features.length },
    bus: null,
    backend: { name: 'fake', capabilities: {} as SettingPair['backend']['capabilities'] },
    logger: { ...silentLogger, warn: (message: string) => warnings.push(message) },
    signal: new AbortController().signal,
    featureText: async (id) => `Feature ${id}: make it so.\n`,
    runSeats: async (seats, phase) => {
      phases.push({ phase, seats: [...seats] })
      return seats.map((seat) => outcomeOf(seat, options.play(seat, phase)))
    },
    openChannel: async (name) => {
      channels.push(name ?? '(pair)')
      return { namespace: `run:abcd1234${name === undefined ? '' : `:${name}`}`, transcript: async () => [] }
    },
    openGitRemote: async (name) => ({ sharedDir: { hostPath: '/tmp/remote', sandboxPath: '/remote' }, git: { remote: name, url: 'file:///remote' } }),
    openFolder: async () => '/tmp/folder',
    own: () => {},
    writeFile: async (name, content) => {
      files.set(name, content)
    },
    copyFolder: async () => {},
  }
  return { pair, phases, files, channels, warnings }
}

function outcomeOf(seat: Seat, play: SeatPlay): SeatOutcome {
  const status = play.status ?? 'Submitted'
  const patch = play.patch ?? ''
  const record: AgentSummaryRecord = {
    status,
    cost: play.cost ?? 0,
    steps: play.steps ?? 1,
    input_tokens: 10,
    output_tokens: 1,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    patch_lines: patch === '' ? 0 : patch.split('\n').length - 1,
    error: play.error ?? null,
    ...(play.failure === undefined ? {} : { failure: play.failure }),
  }
  const result = { status, cost: record.cost, steps: record.steps, input_tokens: 10, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0 }
  return {
    agentId: seat.agentId,
    featureIds: seat.featureIds,
    result: { ...result, messages: [], error: record.error },
    patch,
    patchSource: patch === '' ? 'none' : 'harness_diff',
    record,
    ...(seat.artifact === undefined ? {} : { artifact: play.artifact ?? null }),
  }
}

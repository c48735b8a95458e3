import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { canonicalJson, diffFingerprints } from '@cooperbench/config'
import { isObject, PairFiles, type PairFolder, readJsonIfPresent, readTrajectory, recordAgents, RunFiles, scanRun } from '@cooperbench/results'
import type { AgentSummaryRecord, ConversationEntry, ResultRecord } from '@cooperbench/spec'
import { recordedSeats } from '@cooperbench/spec-utils/setting'
import { readRecordedTurns } from '../export/recorded-turns.js'
import { type BundleClaim, claimedFingerprint, type RunClaim, type SettingClaim, type StoredRunConfig, storedFingerprint } from './bundle-claim.js'
import { bundleMismatch } from './bundle-errors.js'
import { shortJson } from './compare.js'

/** One seat of a pair as the claim judges it: the agent and model its records say ran it. */
interface Seat {
  id: string
  summary: AgentSummaryRecord
  agent: string
  model: string | null
  role?: string
  trajectory: string
}

/**
 * Holds every record of an unpacked bundle (`root`) to its claim and to each other: the runs are
 * the claimed ones; each config.json's fingerprints hash to their hashes and are the claim's (which
 * hashes alike), as are its agent, model, subset and dataset; each result.json is of its run,
 * setting, agent, model (per seat) and hash; each seat's tokens show calls to its model, or none
 * for an agent without one, as do the messages it sent and its trajectory (when bundled);
 * report.json's rows name the claimed agents. The first file that does not agree is a
 * `BUNDLE_MISMATCH` naming it.
 */
export async function checkClaim(claim: BundleClaim, root: string, trajectories: boolean): Promise<void> {
  const folders = (await readdir(join(root, 'runs'), { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name)
  const unclaimed = folders.find((name) => !claim.runs.some((run) => run.name === name))
  if (unclaimed !== undefined) throw bundleMismatch(`runs/${unclaimed}: the bundle holds this run, yet its claim names no such run`)
  for (const run of claim.runs) {
    const dir = join(root, 'runs', run.name)
    await checkRunConfig(run, dir)
    const pairs = await scanRun(dir)
    if (pairs.length !== run.pairs) throw bundleMismatch(`runs/${run.name}: it holds ${pairs.length} pairs, its claim ${run.pairs}`)
    for (const pair of pairs) await checkPair(run, pair, (file) => `runs/${run.name}/${relative(dir, join(pair.dir, file))}`, trajectories)
  }
  await checkReportRows(claim, root)
}

/**
 * config.json's fingerprints are as the run wrote them (each hashes to its hash, its agent is its
 * agent plugin's), so is the claim, and they are the claim's; so are the agent, model, subset and
 * dataset of its last invocation.
 */
async function checkRunConfig(run: RunClaim, dir: string) {
  const file = `runs/${run.name}/config.json`
  const config = await readJsonIfPresent<StoredRunConfig>(join(dir, RunFiles.config))
  const last = run.settings.find((claim) => claim.setting === config?.setting)
  for (const claim of run.settings) {
    const stored = storedFingerprint(config, claim.setting)
    if (stored === null) throw bundleMismatch(`${file} records no fingerprint of the ${claim.setting} setting its claim names`)
    const fault =
      fingerprintFault(stored.value, stored.hash) ??
      (claim === last && isObject(config?.fingerprint) ? fingerprintFault(config.fingerprint, config.fingerprint_hash) : null)
    if (fault !== null) throw bundleMismatch(`${file}: the ${claim.setting} fingerprint ${fault}`)
    const claimed = fingerprintFault(claimedFingerprint(claim), claim.fingerprint_hash)
    if (claimed !== null) throw bundleMismatch(`bundle.json: the claim of run ${run.name} (${claim.setting}) ${claimed}`)
    expectFingerprint(file, `fingerprints.${claim.setting}`, stored.value, stored.hash, claim)
  }
  if (last === undefined) return
  expectFingerprint(file, 'fingerprint', config?.fingerprint, config?.fingerprint_hash, last)
  const options = config?.config ?? {}
  expectFields(file, [
    ['agent_framework', config?.agent_framework, last.agent],
    ['model', config?.model, last.model],
    ['config.agent', options['agent'], last.agent],
    ['config.modelName', options['modelName'], last.model],
    ['config.subset', options['subset'] ?? null, run.subset],
    ['config.dataset_source', options['dataset_source'] ?? null, run.dataset_source],
  ])
}

/**
 * Why a fingerprint is not as a run writes one: not hashing to its hash, or naming another agent
 * than its plugin.
 */
function fingerprintFault(fingerprint: Record<string, unknown>, hash: unknown): string | null {
  const actual = createHash('sha256').update(canonicalJson(fingerprint)).digest('hex')
  if (actual !== hash) return `hashes to ${actual}, not to its recorded hash ${shortJson(hash)}: it was changed after the run`
  const plugin = isObject(fingerprint['plugins']) ? fingerprint['plugins']['agent'] : undefined
  if (typeof plugin === 'string' && plugin.split(' (')[0] !== fingerprint['agent'])
    return `names the agent ${shortJson(fingerprint['agent'])}, yet the agent plugin that ran it is ${plugin}`
  return null
}

function expectFingerprint(file: string, key: string, value: unknown, hash: unknown, claim: SettingClaim) {
  const claimed = claimedFingerprint(claim)
  if (!isObject(value) || canonicalJson(value) !== canonicalJson(claimed)) {
    const difference = isObject(value) ? diffFingerprints(value, claimed)[0] : 'absent'
    throw bundleMismatch(`${file}: ${key} is not the claimed fingerprint (${difference}, as config.json → as claimed)`)
  }
  if (hash !== claim.fingerprint_hash) throw bundleMismatch(`${file}: ${key}'s hash is ${shortJson(hash)}, the claim's ${claim.fingerprint_hash}`)
}

/**
 * A finished pair is of the run and setting it is filed under, made by the claimed agents and
 * models, with their traces.
 */
async function checkPair(run: RunClaim, pair: PairFolder, file: (name: string) => string, trajectories: boolean) {
  const claim = run.settings.find((setting) => setting.setting === pair.setting)
  if (claim === undefined) throw bundleMismatch(`${file('')}: a ${pair.setting} pair, yet the claim of run ${run.name} names no ${pair.setting} setting`)
  const result = pair.result
  if (result === null) return
  expectFields(file(PairFiles.result), [
    ['run_name', result.run_name, run.name],
    ['setting', result.setting, pair.setting],
    ['agent_framework', result.agent_framework, claim.agent],
    ['model', result.model, claim.model],
    ['config_hash', result.config_hash, claim.fingerprint_hash],
    ...(['messaging_enabled', 'git_enabled'] as const)
      .filter((key) => result[key] !== undefined)
      .map((key): [string, unknown, unknown] => [key, result[key], claim.options[key]]),
  ])
  const seats = seatsOf(result)
  for (const seat of seats) checkSeatRecord(file(PairFiles.result), seat, claim)
  await checkConversation(pair, file(PairFiles.conversation), result, seats)
  if (trajectories) for (const seat of seats) await checkTrajectory(pair, file(seat.trajectory), seat)
}

/**
 * A pair's seats with what ran each: its own agent and model when its role named them, else the
 * pair's.
 */
function seatsOf(result: ResultRecord): Seat[] {
  const summaries = new Map(recordAgents(result))
  return recordedSeats(result).flatMap((seat) => {
    const summary = summaries.get(seat.agentId)
    if (summary === undefined) return []
    const phased = result.phases?.flatMap((phase) => phase.seats).find((s) => s.agent_id === seat.agentId)
    return [
      {
        id: seat.agentId,
        summary,
        agent: summary.agent_framework ?? result.agent_framework,
        model: summary.model !== undefined ? summary.model : result.model,
        ...(phased?.role === undefined ? {} : { role: phased.role }),
        trajectory: seat.trajectory,
      },
    ]
  })
}

/**
 * The seat's agent and model are the claim's (its role's own when it has one); its tokens show
 * calls to that model, or none.
 */
function checkSeatRecord(file: string, seat: Seat, claim: SettingClaim) {
  const own = seat.role === undefined ? undefined : claim.seats?.[seat.role]
  const expected = own ?? { agent: claim.agent, model: claim.model }
  const whose = `${seat.id}${seat.role === undefined ? '' : ` (${seat.role})`}`
  expectFields(file, [
    [`${whose}: agent`, seat.agent, expected.agent],
    [`${whose}: model`, seat.model, expected.model],
  ])
  const { input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost, steps } = seat.summary
  const tokens = [input_tokens, output_tokens, cache_read_tokens, cache_write_tokens].reduce((sum, n) => sum + (Number(n) || 0), 0)
  if (seat.model === null && (tokens > 0 || (Number(cost) || 0) > 0))
    throw bundleMismatch(`${file}: ${whose} records ${tokens} tokens and $${cost}, yet its agent ${seat.agent} calls no model`)
  if (seat.model !== null && steps > 0 && (Number(input_tokens) || 0) + (Number(output_tokens) || 0) === 0)
    throw bundleMismatch(`${file}: ${whose} took ${steps} step(s) without a token of the claimed model ${seat.model}`)
}

/**
 * conversation.json holds the messages result.json counts, each from a seat of the pair whose agent
 * calls a model.
 */
async function checkConversation(pair: PairFolder, file: string, result: ResultRecord, seats: Seat[]) {
  const conversation = await readJsonIfPresent<ConversationEntry[]>(join(pair.dir, PairFiles.conversation))
  if (conversation === null) return
  if (!Array.isArray(conversation)) throw bundleMismatch(`${file}: not a list of messages`)
  if (typeof result.messages_sent === 'number' && conversation.length !== result.messages_sent)
    throw bundleMismatch(`${file}: ${conversation.length} messages, result.json counts ${result.messages_sent}`)
  for (const [index, entry] of conversation.entries()) {
    const sender = seats.find((seat) => seat.id === entry?.from)
    if (sender === undefined) throw bundleMismatch(`${file}: message ${index + 1} is from ${shortJson(entry?.from)}, no agent of the pair`)
    if (sender.model === null) throw bundleMismatch(`${file}: message ${index + 1} is from ${sender.id}, whose agent ${sender.agent} calls no model`)
  }
}

/**
 * The seat's trajectory names its model and shows the model's turns (none for an agent without a
 * model).
 */
async function checkTrajectory(pair: PairFolder, file: string, seat: Seat) {
  const { value, problem } = await readTrajectory(pair.dir, seat.trajectory)
  if (value === null) {
    if (problem !== null) throw bundleMismatch(`${file} ${problem}`)
    if (seat.summary.steps > 0) throw bundleMismatch(`${file} is missing, yet the bundle holds trajectories and ${seat.id} took ${seat.summary.steps} steps`)
    return
  }
  if ('model' in value && value.model !== seat.model) throw bundleMismatch(`${file}: model is ${shortJson(value.model)}, the claim's ${shortJson(seat.model)}`)
  const turns = readRecordedTurns(Array.isArray(value.messages) ? value.messages : []).turns.filter((turn) => turn.role === 'assistant')
  if (seat.model === null && turns.length > 0) throw bundleMismatch(`${file}: ${turns.length} model turns, yet its agent ${seat.agent} calls no model`)
  if (seat.model !== null && seat.summary.steps > 0 && turns.length === 0)
    throw bundleMismatch(`${file}: no turn of the claimed model ${seat.model}, yet ${seat.id} took ${seat.summary.steps} step(s)`)
}

/**
 * report.json's rows name each claimed run's agent and model (a row's seat roles follow in
 * parentheses).
 */
async function checkReportRows(claim: BundleClaim, root: string) {
  const report = await readJsonIfPresent<{ settings?: Array<{ setting?: unknown; runs?: unknown; agent?: unknown; model?: unknown }> }>(
    join(root, 'report.json'),
  )
  for (const row of report?.settings ?? []) {
    for (const name of Array.isArray(row.runs) ? row.runs : []) {
      const claimed = claim.runs.find((run) => run.name === name)?.settings.find((setting) => setting.setting === row.setting)
      if (claimed === undefined) throw bundleMismatch(`report.json: a ${String(row.setting)} row of run ${String(name)}, which the claim does not name`)
      const names = (value: unknown, expected: string | null) => value === expected || (typeof value === 'string' && value.startsWith(`${expected} (`))
      if (!names(row.agent, claimed.agent) || !names(row.model, claimed.model))
        throw bundleMismatch(
          `report.json: run ${String(name)} (${String(row.setting)}) is reported as ${shortJson(row.agent)} with ${shortJson(row.model)}, the claim is ${claimed.agent} with ${shortJson(claimed.model)}`,
        )
    }
  }
}

function expectFields(file: string, fields: Array<[string, unknown, unknown]>) {
  for (const [field, recorded, claimed] of fields) {
    if (canonicalJson(recorded ?? null) !== canonicalJson(claimed ?? null))
      throw bundleMismatch(`${file}: ${field} is ${shortJson(recorded)}, the claim's ${shortJson(claimed)}`)
  }
}

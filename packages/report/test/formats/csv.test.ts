import { describe, expect, it } from 'vitest'
import { CSV_COLUMNS, csvField, renderCsv } from '../../src/formats/csv.js'
import { reportOf, TWO_RUNS } from '../support/pair-folders.js'

/** RFC 4180 read back, written independently of the renderer: records of fields. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') record.push(field), (field = '')
    else if (c === '\r' && text[i + 1] === '\n') record.push(field), records.push(record), (record = []), (field = ''), i++
    else field += c
  }
  expect(field, 'the last record ends in CRLF').toBe('')
  return records
}

describe('csv report', () => {
  it('is one tidy table: overall, per-repo and merge-outcome rows per run and setting, the paired deficit rows and the leaderboard', async () => {
    const note = '"no config.json fingerprint for solo-run (solo) and coop-run (coop): only agent and model were compared, not limits or prompts"'
    expect(renderCsv(await reportOf(TWO_RUNS))).toBe(
      [
        'run,agent,model,setting,pair_size,scope,repo,pairs,evaluated,passed,failed,errors,rate,ci_low,ci_high,' +
          'strict_rate,strict_ci_low,strict_ci_high,both_pass,solo_only,coop_only,neither,mcnemar_p,dropped,cost,cost_unknown_pairs,interrupted,measure,count,value,communication,note',
        'solo-run,oracle,m,solo,2,overall,,4,4,3,1,0,0.75,0.300642,0.954413,0.75,0.300642,0.954413,,,,,,,2.5,0,false,,,,,',
        'solo-run,oracle,m,solo,2,repo,a_task,2,2,2,0,0,1,0.34238,1,,,,,,,,,,,,false,,,,,',
        'solo-run,oracle,m,solo,2,repo,b_task,2,2,1,1,0,0.5,0.094531,0.905469,,,,,,,,,,,,false,,,,,',
        'coop-run,oracle,m,coop,2,overall,,3,3,1,1,1,0.5,0.094531,0.905469,0.5,0.094531,0.905469,,,,,,,1.5,0,false,,,,,',
        'coop-run,oracle,m,coop,2,repo,a_task,3,3,1,1,1,0.5,0.094531,0.905469,,,,,,,,,,,,false,,,,,',
        'coop-run,oracle,m,coop,2,merge_clean,,1,1,1,0,,1,,,,,,,,,,,,,,false,,,,,',
        'coop-run,oracle,m,coop,2,merge_union,,1,1,0,1,,0,,,,,,,,,,,,,,false,,,,,',
        'coop-run,oracle,m,coop,2,merge_missing_input,,0,0,0,0,,,,,,,,,,,,,,,,false,,,,,',
        `solo-run vs coop-run,,,solo-coop,2,relative_deficit,,2,,,,,0.5,-1.063113,0.876711,,,,1,1,0,0,1,3,,,,,,,,${note}`,
        `solo-run vs coop-run,,,solo-coop,2,deficit_points,,2,,,,,0.5,-0.272573,0.905469,,,,1,1,0,0,1,3,,,,,,,,${note}`,
        `solo-run vs coop-run,,,solo-coop,2,strict_relative_deficit,,2,,,,,0.5,-1.063113,0.876711,,,,1,1,0,0,1,3,,,,,,,,${note}`,
        'solo-run vs coop-run,,,solo-coop,2,passes_by_strategy,,2,,,,,1,,,,,,,,,,,,,,,naive,1,,,',
        'solo-run vs coop-run,oracle,m,solo-coop,2,leaderboard_solo,,2,,,,,1,0.34238,1,,,,,,,,,,,,,,,,,',
        'solo-run vs coop-run,oracle,m,solo-coop,2,leaderboard_coop,,2,,,,,0.5,0.094531,0.905469,,,,,,,,,,,,,,,,,',
        'solo-run vs coop-run,oracle,m,solo-coop,2,leaderboard_relative_deficit,,2,,,,,0.5,-1.063113,0.876711,,,,,,,,,,,,,,,,,',
        'solo-run vs coop-run,oracle,m,solo-coop,2,leaderboard_strict,,2,,,,,0.5,0.094531,0.905469,,,,,,,,,,,,,,,,,',
        'solo-run vs coop-run,oracle,m,solo-coop,2,leaderboard_passes_by_strategy,,2,,,,,1,,,,,,,,,,,,,,,naive,1,,,',
        // The fixture's pairs took 1 s each and record no start or end: no wall time.
        'solo-run,,,solo,2,timing,,4,,,,,,,,,,,,,,,,,,,,,,1,,',
        'coop-run,,,coop,2,timing,,3,,,,,,,,,,,,,,,,,,,,,,1,,',
        // The coop run's eval error names no cause: apart from its fails, under `unknown`.
        'coop-run,,,coop,2,eval_errors,,,,,,,,,,,,,,,,,,,,,,unknown,1,,,',
        '',
      ].join('\r\n'),
    )
  })

  it('flags the rows of an interrupted run', async () => {
    const records = parseCsv(renderCsv(await reportOf(TWO_RUNS, ['solo-run'])))
    const column = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number])
    const interrupted = records.slice(1).map((r) => `${r[0]} ${r[column('scope')]} ${r[column('repo')]}: ${r[column('interrupted')]}`)
    expect(interrupted.slice(0, 5)).toEqual([
      'solo-run overall : true',
      'solo-run repo a_task: true',
      'solo-run repo b_task: true',
      'coop-run overall : false',
      'coop-run repo a_task: false',
    ])
    expect(interrupted.find((line) => line.includes('leaderboard_strict'))).toBe('solo-run vs coop-run leaderboard_strict : ')
  })

  it('quotes fields with a comma, a quote or a line break, doubling the quotes, so every record reads back with all its columns', async () => {
    const name = 'run, "one"\nB'
    const records = parseCsv(renderCsv(await reportOf({ [name]: [{ setting: 'solo', repo: 'a,b_task', verdict: 'pass' }] })))
    expect(records.map((r) => r.length)).toEqual([CSV_COLUMNS.length, CSV_COLUMNS.length, CSV_COLUMNS.length, CSV_COLUMNS.length])
    expect(records[1]!.slice(0, 7)).toEqual([name, 'oracle', 'm', 'solo', '2', 'overall', ''])
    expect(records[2]!.slice(0, 7)).toEqual([name, 'oracle', 'm', 'solo', '2', 'repo', 'a,b_task'])
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('plain text')).toBe('plain text')
    expect(csvField(null)).toBe('')
    expect(csvField(1 / 3)).toBe('0.333333')
  })
})

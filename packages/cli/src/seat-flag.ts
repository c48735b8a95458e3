import { CooperbenchError } from '@cooperbench/core'
import type { CooperbenchConfig } from '@cooperbench/config'
import { Flags } from '@oclif/core'

/** `--seat manager.model=openai/gpt-5`: a seat role's own agent or model, as `seats.<role>` of a config file. */
export const seatFlag = {
  seat: Flags.string({
    description:
      "A seat role's own agent or model: ROLE.agent=NAME or ROLE.model=MODEL (repeatable; `seats.<role>` in a config file). `cooperbench settings` lists each setting's roles.",
    helpValue: 'ROLE.KEY=VALUE',
    multiple: true,
  }),
}

/** The `seats` key of `--seat` values; undefined when none was given, so the file's stays. */
export function seatsFromFlags(values: readonly string[] | undefined): CooperbenchConfig['seats'] | undefined {
  if (values === undefined || values.length === 0) return undefined
  const seats: Record<string, { agent?: string; model?: string }> = {}
  for (const value of values) {
    const match = /^([^.=\s]+)\.(agent|model)=(.+)$/.exec(value)
    if (!match) {
      throw new CooperbenchError('USAGE', `--seat ${value}: expected ROLE.agent=NAME or ROLE.model=MODEL`, {
        hint: 'E.g. --seat manager.model=openai/gpt-5 --seat worker.agent=swe_agent',
      })
    }
    const [, role, key, setting] = match as unknown as [string, string, 'agent' | 'model', string]
    seats[role] = { ...seats[role], [key]: setting }
  }
  return seats
}

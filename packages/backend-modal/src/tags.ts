import { createHash } from 'node:crypto'
import { CreatorLabels } from '@cooperbench/backend-kit'

/** Tags this backend puts on every Modal sandbox besides the run's own labels, for list and prune. */
export const MODAL_TAGS = {
  /** `true` on every sandbox this backend made; the filter for list and prune. */
  managed: 'cooperbench.managed',
  /** `<repo>/<taskId>` of the sandbox (as a Modal tag: {@link modalTagValue}). */
  task: 'cooperbench.task',
  /** The creating process: pid, start time, host name. */
  creatorPid: 'cooperbench.creator.pid',
  creatorStart: 'cooperbench.creator.start',
  creatorHost: 'cooperbench.creator.host',
} as const

/**
 * What Modal takes as a tag key or value: 1 to 63 of `[A-Za-z0-9._-]` (the rule of Modal's
 * client, `check_tag_dict` in modal-labs/modal-client `py/modal/_utils/name_utils.py`; the JS
 * SDK sends sandbox tags unchecked and leaves the refusal to the server).
 */
export const MODAL_TAG_PATTERN = /^[A-Za-z0-9._-]{1,63}$/

/** Characters of the hash that keeps two different originals apart once sanitised. */
const HASH_CHARS = 8

/**
 * A tag key or value as Modal takes it: unchanged when it fits {@link MODAL_TAG_PATTERN}, else
 * other characters as `_`, cut, and `--<hash of the original>` appended, so that `a/b` and `a,b`
 * never meet and a run's sandboxes are found by its sanitised name.
 */
export function modalTagValue(value: string): string {
  if (MODAL_TAG_PATTERN.test(value)) return value
  const hash = createHash('sha256').update(value).digest('hex').slice(0, HASH_CHARS)
  return `${value.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63 - HASH_CHARS - 2)}--${hash}`
}

/** The key and value of a tag as the harness gave them, before {@link modalTagValue}. */
export interface TagOriginal {
  key: string
  value: string
}

/** Tags as Modal takes them, and the originals of those that had to change (sanitised key → original key and value). */
export function modalTags(tags: Record<string, string>): { tags: Record<string, string>; originals: Record<string, TagOriginal> } {
  const sanitised: Record<string, string> = {}
  const originals: Record<string, TagOriginal> = {}
  for (const [key, value] of Object.entries(tags)) {
    const tagKey = modalTagValue(key)
    const tagValue = modalTagValue(value)
    sanitised[tagKey] = tagValue
    if (tagKey !== key || tagValue !== value) originals[tagKey] = { key, value }
  }
  return { tags: sanitised, originals }
}

/** The tags naming the process that created a sandbox, as Modal takes them (no start time when /proc has none). */
export const creator = new CreatorLabels(
  { pid: MODAL_TAGS.creatorPid, start: MODAL_TAGS.creatorStart, host: MODAL_TAGS.creatorHost },
  { encode: modalTagValue, omitUnknownStart: true },
)

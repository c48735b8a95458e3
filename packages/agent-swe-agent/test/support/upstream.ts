import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'

/**
 * Upstream CooperBench's swe_agent files as the user supplies them: `../shared/upstream-swe-agent`
 * beside the checkout (CI has it). Tests read them there and skip with {@link UPSTREAM_MISSING} when
 * the folder is absent; nothing of it is copied into the project, because upstream's files are the
 * user's to supply at run time, as `--agent-config` and `config_root` take them.
 */
export const UPSTREAM_DIR = resolve(import.meta.dirname, '../../../../../shared/upstream-swe-agent')

/** Why tests of upstream's files are skipped here, or false. */
export const UPSTREAM_MISSING = existsSync(join(UPSTREAM_DIR, 'config', 'coop.yaml')) ? false : `upstream's swe_agent files are not at ${UPSTREAM_DIR}`

/** The agent's options for upstream's `config/<name>.yaml` as `--agent-config` passes it, with its bundles' root. */
export function upstreamOptions(name: 'coop' | 'default', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const file = parse(readFileSync(join(UPSTREAM_DIR, 'config', `${name}.yaml`), 'utf8'), { version: '1.1' }) as Record<string, unknown>
  return { ...file, config_root: UPSTREAM_DIR, ...extra }
}

/** A team block file of our own wording (upstream's text lives in its Python source), for team runs. */
export function teamTemplateFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cb-swe-team-')), 'team-prompt.json')
  writeFileSync(
    path,
    JSON.stringify({
      lead: 'LEAD {agent_id} of {member_list}. {_TEAM_LIST_USAGE}',
      member: 'MEMBER {agent_id}, lead {lead}.',
      _TEAM_LIST_USAGE: 'Use the task list.',
    }),
  )
  return path
}

import { type AgentTeam, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { teamBriefing } from '@cooperbench/spec-utils/host'
import { SUBMIT_MARKER } from './observation.js'

/** Recorded in each run's fingerprint; change it whenever the wording below changes meaningfully. */
export const PROMPT_PROFILE = 'cooperbench-v1'

/** What the prompt depends on: a subset of the run context plus two options. */
export interface PromptInput {
  agentId: string
  peers: readonly string[]
  instructions: string
  /** Messaging is active (a mailbox exists). */
  messaging: boolean
  /** The shared remote's name (`team`), when `--git`. */
  gitRemote: string | null
  commandTimeoutSeconds: number
  observationMaxChars: number
  replyTimeoutSeconds: number
  /** The agent's team in the `team` setting (its role, the features that are on); null otherwise. */
  team?: Pick<AgentTeam, 'role' | 'lead' | 'agents' | 'features' | 'scratchpad'> | null
}

/**
 * The system and task messages of prompt profile `cooperbench-v1`: our own wording of what the
 * reference's prompts carry (docs/reference-compatibility.md#running). The team version is used whenever the agent
 * has peers, even without messaging; sections that would describe something unavailable in this
 * run (messaging, the git remote) are left out rather than qualified. In the `team` setting the
 * situation is the team's briefing (`teamBriefing`: the role, and the task list and scratchpad
 * only when they are on) instead of the coop pair's.
 */
export function buildPrompt(input: PromptInput): { system: string; task: string } {
  const team = input.peers.length > 0
  const sections = team
    ? [
        section('Your task', input.instructions.trim()),
        ...(input.team ? teamSections(input, input.team) : [situation(input)]),
        workflow(input, true),
        input.messaging ? messaging(input) : null,
        input.gitRemote ? gitRemote(input, input.gitRemote) : null,
        commandRules(input, true),
        usefulCommands(),
        submitting(true),
      ]
    : [section('Your task', input.instructions.trim()), workflow(input, false), commandRules(input, false), usefulCommands(), submitting(false)]
  return { system: team ? teamSystem(input.messaging, input.peers.length) : SOLO_SYSTEM, task: sections.filter((s) => s !== null).join('\n\n') }
}

const SOLO_SYSTEM = 'You are a capable software engineer who solves programming tasks by running commands on a computer.'

function teamSystem(messaging: boolean, peers: number): string {
  const others = peers === 1 ? 'a teammate' : `${peers} teammates`
  const pieces = peers === 1 ? 'your two pieces of work' : 'your pieces of work'
  return (
    `You are a software engineer on a small team. You and ${others} work on the same codebase at the same time, ` +
    'each in your own copy of it, each implementing a different feature. ' +
    (messaging
      ? `Talk to each other the way colleagues on one team do, so that ${pieces} fit together cleanly when they are combined.`
      : `Work so that ${pieces} fit together cleanly when they are combined.`)
  )
}

function section(title: string, body: string): string {
  return `## ${title}\n\n${body}`
}

function listing(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
}

/** `your teammate` or `your teammates`: most runs have exactly one. */
function mates(input: PromptInput): string {
  return input.peers.length === 1 ? 'your teammate' : 'your teammates'
}

function situation(input: PromptInput): string {
  const { agentId, peers } = input
  const two = peers.length === 1
  const who = two ? `Your teammate is **${peers[0]}**.` : `Your teammates are ${listing(peers.map((p) => `**${p}**`))}.`
  const lines = [
    `You are **${agentId}**. ${who}`,
    'Each of you implements a different feature in the same repository at the same time, in a separate workspace on your own branch. ' +
      `When ${two ? 'you have both' : 'all of you have'} submitted, the harness combines your changes with \`git merge\`; do not merge them yourselves.`,
    `The work succeeds only if **${two ? 'both' : 'all'}** features pass their tests on the merged code **and** the changes merge without conflicts. ` +
      'Get your own feature right first; then make sure the combination works too: ' +
      (input.messaging
        ? 'agree on who changes which files, functions and lines, and avoid editing the same lines.'
        : `keep your changes focused on your feature and avoid rewriting code that ${mates(input)} may also need to change.`),
  ]
  if (input.messaging) lines.push(`You can message ${mates(input)} at any time (see Messaging).`)
  else lines.push(`In this run there is no way to send messages to ${mates(input)}.`)
  if (input.gitRemote) lines.push(`A shared git remote, \`${input.gitRemote}\`, shows the actual changes of ${mates(input)} (see Shared git remote).`)
  return section('Your situation', lines.join('\n\n'))
}

/** The `team` setting's sections: the role (with how to reach the others), then the task list and scratchpad when they are on. */
function teamSections(input: PromptInput, team: NonNullable<PromptInput['team']>): string[] {
  const [role, ...rest] = teamBriefing({ agentId: input.agentId, team, messaging: input.messaging })
  const reach = [role!.body]
  if (input.messaging) reach.push(`You can message ${mates(input)} at any time (see Messaging).`)
  else reach.push(`In this run there is no way to send messages to ${mates(input)}.`)
  if (input.gitRemote) reach.push(`A shared git remote, \`${input.gitRemote}\`, shows the actual changes of ${mates(input)} (see Shared git remote).`)
  return [section(role!.title, reach.join('\n\n')), ...rest.map((s) => section(s.title, s.body))]
}

function workflow(input: PromptInput, team: boolean): string {
  const steps = [
    '1. Explore the repository and find the code the feature concerns.',
    '2. Write a small script that shows the missing behaviour, and run it.',
    '3. Change the source code to implement the feature.',
    '4. Run your script again to confirm, and run the existing tests near your change.',
    '5. Think about edge cases and check them as well.',
    '6. Clean up and submit, as described under Submitting.',
  ]
  const body = steps.join('\n')
  if (team && input.messaging) {
    return section(
      'Workflow',
      `${body}\n\nTalk to ${mates(input)} whenever it helps, as often as you like, like experienced engineers would: ` +
        'say what you plan to change, ask before touching code they may also change, and tell them when you are done.',
    )
  }
  return section(team ? 'Workflow' : 'Recommended workflow', body)
}

function messaging(input: PromptInput): string {
  const peer = input.peers[0] ?? 'agent2'
  return section(
    'Messaging',
    [
      'Send a message with the `send_message` command followed by a heredoc; the body may contain any characters:',
      '',
      `    send_message ${peer} <<'MSG'`,
      '    I am adding a `fallback` parameter to Loader.__init__ in src/loaders.py (lines 170-190 only).',
      '    MSG',
      '',
      `\`send_message --wait ${peer} <<'MSG'\` … sends, then waits up to ${input.replyTimeoutSeconds} seconds for ${peer}'s reply and shows it in the output.`,
      'A command may be a `send_message` alone, or combine it with other commands.',
      `Messages from ${mates(input)} appear as \`[Message from ${peer}]: …\` before your next step. Never write lines of that form yourself.`,
      'A teammate who has already finished does not read new messages; the output of `send_message` says so when that happens.',
    ].join('\n'),
  )
}

function gitRemote(input: PromptInput, remote: string): string {
  const peer = input.peers[0] ?? 'agent2'
  const theirs = input.peers.length <= 1 ? `your teammate's is \`${peer}\`` : `your teammates' are ${listing(input.peers.map((p) => `\`${p}\``))}`
  return section(
    'Shared git remote (read-only)',
    [
      `The remote \`${remote}\` holds everyone's branches: yours is \`${input.agentId}\`, ${theirs}, ` +
        `and \`${remote}/main\` is the unchanged starting point. ` +
        (input.messaging ? 'Messages are the main way to coordinate; use git ' : 'Use git ') +
        "to look at your teammate's actual code when something is unclear, or near the end to check that your changes will merge.",
      '',
      'Allowed:',
      `- \`git fetch ${remote}\``,
      `- \`git log ${remote}/${peer} --oneline\``,
      `- \`git diff HEAD...${remote}/${peer} -- <file>\``,
      `- after committing your own work, a trial merge that you undo at once: \`git merge --no-commit --no-ff ${remote}/${peer}\`, then always \`git merge --abort\``,
      `- sharing your progress: commit, then \`git push ${remote} ${input.agentId}\``,
      '',
      `Not allowed: merging (without aborting), pulling or rebasing your teammate's branch into yours, and \`git reset --hard\` to \`${remote}/*\` or \`origin/main\`. ` +
        (input.team
          ? "Your changes are collected relative to the starting point, so a teammate's history in your branch would confuse them" +
            (input.team.role === 'lead' && input.team.features.scratchpad ? "; the members' work reaches you as patch files (see Scratchpad)." : '.')
          : 'Your changes are collected relative to the starting point, so anything you bring in from a teammate would appear twice and break the final merge.'),
    ].join('\n'),
  )
}

function commandRules(input: PromptInput, team: boolean): string {
  return section(
    'Command rules',
    [
      `- Every reply contains a short explanation of your reasoning and at least one call of the \`bash\` tool${team && input.messaging ? ' (a command, a message, or both)' : ''}.`,
      `- Each command runs in a fresh \`bash -lc\` started in ${SANDBOX_REPO_DIR}: \`cd\` and variables do not carry over to the next command, so chain them, e.g. \`cd src && ls\`.`,
      '- Commands cannot be interactive: no editors such as vim or nano, no pagers (use `git --no-pager` or `| cat`), no prompts waiting for input.',
      `- A command is stopped after ${input.commandTimeoutSeconds} seconds. Output longer than ${input.observationMaxChars} characters is shortened to its beginning and end.`,
      '- Example of a reply: "Let me find where templates are loaded." with the tool call `bash` {"command": "grep -rn \\"def get_source\\" src | head -20"}.',
      '- The commands run in a Linux sandbox that has the project and its tools installed.',
    ].join('\n'),
  )
}

function usefulCommands(): string {
  return section(
    'Useful commands',
    [
      'Create or overwrite a file:',
      '',
      "    cat <<'EOF' > path/to/file.py",
      '    def hello():',
      "        print('hello')",
      '    EOF',
      '',
      "Replace text in a file: `sed -i 's/old text/new text/g' path/to/file.py`",
      '',
      "Show lines 20 to 60 with line numbers: `nl -ba path/to/file.py | sed -n '20,60p'`",
    ].join('\n'),
  )
}

function submitting(team: boolean): string {
  return section(
    'Submitting',
    [
      'When the feature is complete:',
      '1. Delete every scratch file you created: reproduction scripts, temporary tests, notes, logs. ' +
        'Your changes are collected automatically from the working tree: edits, new files and commits, compared with the starting commit ' +
        '(files ignored by .gitignore are left out). Only the intended changes to the source should remain; leave build, packaging and ' +
        'configuration files alone unless the feature needs them.',
      '2. Review what remains with `git status` and `git diff`.',
      `3. Submit with this command, on its own: \`echo ${SUBMIT_MARKER}\`. It ends your session: you cannot run anything afterwards${team ? ' or read messages' : ''}.`,
      '',
      'Writing a `patch.txt` is optional and not needed: it is never part of your changes, and is only read if your changes cannot be collected.',
      '',
      `CRITICAL: in ${SANDBOX_REPO_DIR} never run \`rm -rf .git\`, \`git init\`, \`git rm -rf .\`, \`git reset --hard\` or \`git stash\`: they destroy or hide your work.`,
    ].join('\n'),
  )
}

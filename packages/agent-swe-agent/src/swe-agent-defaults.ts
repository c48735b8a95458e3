/**
 * SWE-agent's defaults for what a configuration leaves out, as in the copy upstream CooperBench vendors (`1.1.0-cooperbench`,
 * 0.0.14: SWE-agent's main of December 2025, MIT license, with a 120 s command timeout); upstream's files set none of them.
 */
export const SWE_AGENT_DEFAULTS = {
  templates: {
    next_step_template: 'Observation: {{observation}}',
    next_step_truncated_observation_template:
      'Observation: {{observation[:max_observation_length]}}<response clipped><NOTE>Observations should not exceeded {{max_observation_length}} characters. {{elided_chars}} characters were elided. Please try a different command that produces less output or use head/tail/grep/redirect the output to a file. Do not use interactive pagers.</NOTE>',
    max_observation_length: 100_000,
    shell_check_error_template:
      'Your bash command contained syntax errors and was NOT executed. Please fix the syntax errors and try again. This can be the result of not adhering to the syntax for multi-line commands. Here is the output of `bash -n`:\n{{bash_stdout}}\n{{bash_stderr}}',
    command_cancelled_timeout_template:
      "The command '{{command}}' was cancelled because it took more than {{timeout}} seconds. Please try a different command that completes more quickly. Note: A common source of this error is if the command is interactive or requires user input (it is impossible to receive user input in the current environment, so the command will never complete).",
  },
  /** `ToolFilterConfig`: commands refused before they run. */
  filter: {
    blocklist_error_template: "Operation '{{action}}' is not supported by this environment.",
    blocklist: ['vim', 'vi', 'emacs', 'nano', 'nohup', 'gdb', 'less', 'tail -f', 'python -m venv', 'make'],
    blocklist_standalone: ['python', 'python3', 'ipython', 'bash', 'sh', '/bin/bash', '/bin/sh', 'nohup', 'vi', 'vim', 'emacs', 'nano', 'su'],
    block_unless_regex: { radare2: '\\b(?:radare2)\\b.*\\s+-c\\s+.*', r2: '\\b(?:radare2)\\b.*\\s+-c\\s+.*' } as Record<string, string>,
  },
  /** The function-calling parser's `error_message`: the format error template. */
  format_error_template:
    '{%- if error_code == "missing" -%}\nYour last output did not use any tool calls!\nPlease make sure your output includes exactly _ONE_ function call!\nYou must invoke the function directly using the function call format.\nYou cannot invoke commands with ```, you have to use the function call format.\nIf you think you have already resolved the issue, please submit your changes by running the `submit` command.\nIf you think you cannot solve the problem, please run `exit_forfeit` (if available) or `submit`.\nElse, please continue with a new tool call!\n{%- elif error_code == "multiple" -%}\nYour last output included multiple tool calls!\nPlease make sure your output includes a thought and exactly _ONE_ function call.\n{%- elif error_code == "unexpected_arg" -%}\nYour action could not be parsed properly: {{exception_message}}.\nMake sure your function call doesn\'t include any extra arguments that are not in the allowed arguments, and only use the allowed commands.\n{%- else -%}\nYour action could not be parsed properly: {{exception_message}}.\n{% endif %}\n',
  env_variables: { PAGER: 'cat', MANPAGER: 'cat', LESS: '-R', PIP_PROGRESS_BAR: 'off', TQDM_DISABLE: '1', GIT_PAGER: 'cat' } as Record<string, unknown>,
  execution_timeout: 120,
  install_timeout: 300,
  total_execution_timeout: 1800,
  max_consecutive_execution_timeouts: 3,
  max_requeries: 3,
} as const

/** SWE-agent's `bash` tool (`BASH_COMMAND`), offered before the bundles' commands when `enable_bash_tool` is on. */
export const BASH_TOOL_CONFIG = {
  signature: '<command>',
  docstring: 'runs the given command directly in bash',
  arguments: [{ name: 'command', type: 'string', description: 'The bash command to execute.', required: true }],
}

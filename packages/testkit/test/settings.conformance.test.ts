import { builtinsPlugin } from '@cooperbench/builtins'
import { teamPlugin } from '@cooperbench/setting-team'
import { bubblewrapProblem, describeSettingConformance } from '../src/index.js'

/** The first-party settings pass the settings' conformance suite, run as a plugin author runs it on theirs. */
const skip = bubblewrapProblem() ?? false

for (const setting of ['coop', 'solo', 'sequential']) describeSettingConformance(setting, { plugins: [builtinsPlugin], setting, skip })
describeSettingConformance('team', { plugins: [teamPlugin], setting: 'team', skip })

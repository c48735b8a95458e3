import { bubblewrapProblem, describeSettingConformance } from '@cooperbench/testkit'
import caidPlugin from '../src/register.js'

describeSettingConformance('caid', { plugins: [caidPlugin.plugin], setting: 'caid', skip: bubblewrapProblem() ?? false })

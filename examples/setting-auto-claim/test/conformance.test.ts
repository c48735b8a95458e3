import { bubblewrapProblem, describeSettingConformance } from '@cooperbench/testkit'
import autoClaimPlugin from '../src/register.js'

describeSettingConformance('auto-claim', { plugins: [autoClaimPlugin.plugin], setting: 'auto-claim', skip: bubblewrapProblem() ?? false })

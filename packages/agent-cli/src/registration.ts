import type { Registration } from '@cooperbench/spec'
import { cliImageLayer } from './image-layer.js'
import { cliAgentOptionsSchema, cliOwnLimits } from './options.js'
import type { CliProfile } from './profile.js'
import { cliPromptSource } from './reference/prompt-source.js'

/** What `api.agent(…)` takes for a CLI profile: a plugin adds a CLI with `api.agent(cliAgentRegistration(myProfile))` in its register hook. */
export function cliAgentRegistration(profile: CliProfile, shorthand?: string): Omit<Registration<'agent'>, 'kind'> {
  if (profile.specificationVersion !== 'cli-profile-v1')
    throw new Error(`CLI profile ${profile.name}: unknown specificationVersion ${String(profile.specificationVersion)}`)
  return {
    name: profile.name,
    ...(profile.aliases === undefined ? {} : { aliases: [...profile.aliases] }),
    ...(shorthand === undefined ? {} : { shorthand }),
    specificationVersion: 'agent-v1',
    description: `${profile.description} (${profile.npm.package}@${profile.npm.version})`,
    optionsSchema: cliAgentOptionsSchema,
    release: () => `${profile.npm.package}@${profile.npm.version}`,
    // Our own prompt keeps the fingerprint runs always had; the reference's template is named by its digest.
    promptSource: async (options) => (options['protocol'] === 'reference' ? await cliPromptSource(options) : 'cooperbench-v1'),
    ownLimits: cliOwnLimits,
    ...(profile.npm.runtime === 'node' ? {} : { imageLayer: () => cliImageLayer(profile) }),
    create: async () => {
      const { CliAgent } = await import('./cli-agent.js')
      return new CliAgent(profile)
    },
  }
}

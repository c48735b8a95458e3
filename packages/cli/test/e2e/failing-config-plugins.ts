/**
 * Config-file plugins that fail in the two ways a user meets (read by config-plugins.test.ts and
 * plugins-config.test.ts): one whose register() throws, one built for a core this CLI is not.
 */
export const BROKEN_PLUGIN = `export default { name: 'broken-plugin', version: '1.0.0', register() { throw new Error('cannot register today') } }\n`
export const FUTURE_PLUGIN = `export default {
  name: 'future-plugin',
  version: '3.0.0',
  coreRange: '^9.0.0',
  register(api: any) { api.agent({ name: 'from-the-future', specificationVersion: 'agent-v1', create: () => ({}) }) },
}\n`

import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import { describe, expect, it } from 'vitest'
import plugin from '../src/register.js'
import { UPSTREAM_DIR, UPSTREAM_MISSING, upstreamOptions } from './support/upstream.js'

async function setupLayerOf(options: Record<string, unknown>) {
  const registry = new PluginRegistry()
  await applyPlugin(registry, plugin.plugin)
  return registry.get('agent', 'swe_agent').setupLayer!(options)
}

describe.skipIf(UPSTREAM_MISSING)("the set-up layer: upstream's bundles' install.sh, once per task image", () => {
  it('copies the bundles that have an install.sh and sources each in the environment the session gives them', async () => {
    const layer = (await setupLayerOf(upstreamOptions('coop')))!
    expect(layer.owner).toBe("agent swe_agent's tool set-up (the bundles' install.sh)")
    expect(layer.tagSuffix).toMatch(/^-swe-agent-setup-[0-9a-f]{12}$/)
    // registry, edit_anthropic and review_on_submit_m have one; messaging has none.
    const bundles = [...new Set(layer.files!.map((file) => file.path.split('/')[1]))]
    expect(bundles).toEqual(['registry', 'edit_anthropic', 'review_on_submit_m'])
    expect(layer.files).toContainEqual({
      path: 'swe-agent-setup/edit_anthropic/install.sh',
      hostPath: join(UPSTREAM_DIR, 'tools', 'edit_anthropic', 'install.sh'),
    })
    const script = JSON.parse(/^RUN (\[.*\])$/m.exec(layer.dockerfile)![1]!)[2] as string
    expect(script).toContain('export PIP_PROGRESS_BAR=off\nexport TQDM_DISABLE=1\nexport GIT_PAGER=cat\n')
    expect(script).toContain('cd /tmp/cooperbench-swe-agent-setup/edit_anthropic && export PATH="$PWD/bin:$PATH" && source install.sh')
    expect(script).toMatch(/then echo 'the sandbox reaches no package index .*'; export PIP_RETRIES=0; fi/)
    // Built as the image's user; the bundles' copy gone before the sandbox sees the image.
    expect(layer.dockerfile).toMatch(/USER \$\{IMAGE_USER\}\nRUN \["bash"/)
    expect(layer.dockerfile).toMatch(/USER root\nRUN rm -rf \/tmp\/cooperbench-swe-agent-setup\nUSER \$\{IMAGE_USER\}\n$/)
  })

  it('is another image when a bundle file or the environment changes, the same one for other templates', async () => {
    const original = (await setupLayerOf(upstreamOptions('coop')))!.tagSuffix
    expect((await setupLayerOf(upstreamOptions('default')))!.tagSuffix).toBe(original)
    const copy = mkdtempSync(join(tmpdir(), 'cb-swe-setup-'))
    cpSync(UPSTREAM_DIR, copy, { recursive: true })
    expect((await setupLayerOf(upstreamOptions('coop', { config_root: copy })))!.tagSuffix).toBe(original)
    writeFileSync(join(copy, 'tools', 'edit_anthropic', 'install.sh'), "pip install 'tree-sitter==0.22.0' || true\n")
    expect((await setupLayerOf(upstreamOptions('coop', { config_root: copy })))!.tagSuffix).not.toBe(original)
    const options = upstreamOptions('coop')
    const tools = (options['agent'] as { tools: { env_variables: Record<string, string> } }).tools
    tools.env_variables = { ...tools.env_variables, PIP_INDEX_URL: 'http://mirror.example/simple' }
    expect((await setupLayerOf(options))!.tagSuffix).not.toBe(original)
  })

  it('is none when no bundle has an install.sh', async () => {
    const options = upstreamOptions('coop')
    ;(options['agent'] as { tools: { bundles: unknown[] } }).tools.bundles = [{ path: 'tools/messaging' }]
    expect(await setupLayerOf(options)).toBeNull()
  })
})

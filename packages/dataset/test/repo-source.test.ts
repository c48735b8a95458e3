import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseTaskManifest, readTaskManifest } from '../src/manifest.js'
import { parseDockerfile, parseSetupScript, readRepoSource } from '../src/repo-source.js'
import { tempDir } from './fixture.js'

const SHA = '9436cc85db0d35be06e66b91b4f74bbc0295b07b'
const OTHER = 'b8034a343831e8609aec2ec81eb7eeda57aa5d81'

describe('parseDockerfile', () => {
  it('reads a clone and checkout split over continuation lines', () => {
    const text = ['WORKDIR /workspace', 'RUN git clone https://github.com/go-chi/chi.git repo && \\', '    cd repo && \\', `    git checkout ${SHA}`].join('\n')
    expect(parseDockerfile(text)).toEqual({ url: 'https://github.com/go-chi/chi.git', baseCommit: SHA })
  })

  it('skips clone options and commented-out lines', () => {
    const text = [
      `# RUN git clone https://github.com/old/place.git repo && cd repo && git checkout ${OTHER}`,
      `RUN git clone --depth 50 -b main "https://github.com/pallets/jinja.git" repo && cd repo && git checkout ${SHA.toUpperCase()}`,
    ].join('\n')
    expect(parseDockerfile(text)).toEqual({ url: 'https://github.com/pallets/jinja.git', baseCommit: SHA })
  })

  it('returns nulls when nothing is pinned', () => {
    expect(parseDockerfile('FROM python:3.11-slim\nRUN git checkout main\n')).toEqual({ url: null, baseCommit: null })
  })
})

describe('parseSetupScript', () => {
  it('reads BASE_COMMIT (with a trailing comment) and builds the URL from REPO_OWNER/REPO_NAME (typst)', () => {
    const text = [
      '#!/bin/bash',
      'REPO_NAME="typst"',
      'REPO_OWNER="typst"',
      `BASE_COMMIT="${OTHER}"  # Base commit before PR #6554`,
      'if [ ! -d "$REPO_NAME" ]; then',
      '    git clone https://github.com/${REPO_OWNER}/${REPO_NAME} "$REPO_NAME"',
      'fi',
      'git checkout "$BASE_COMMIT"',
    ].join('\n')
    expect(parseSetupScript(text)).toEqual({ url: 'https://github.com/typst/typst', baseCommit: OTHER })
  })

  it('falls back to a literal git checkout when BASE_COMMIT is absent', () => {
    expect(parseSetupScript(`git clone https://github.com/a/b x\ncd x\ngit checkout ${SHA}\n`)).toEqual({
      url: 'https://github.com/a/b',
      baseCommit: SHA,
    })
  })

  it('does not accept a clone target that stays a variable', () => {
    expect(parseSetupScript('git clone "$UPSTREAM" repo\n').url).toBeNull()
  })
})

describe('readRepoSource', () => {
  it('prefers the Dockerfile, falls back to setup.sh, and finds repo.bundle', async () => {
    const { dir, cleanup } = await tempDir('source')
    try {
      await writeFile(join(dir, 'setup.sh'), `BASE_COMMIT="${OTHER}"\ngit clone https://example.com/x.git "$REPO_NAME"\n`)
      expect(await readRepoSource(dir)).toEqual({ url: 'https://example.com/x.git', baseCommit: OTHER, bundlePath: null })

      await writeFile(join(dir, 'Dockerfile'), `RUN git clone https://example.com/y.git repo && cd repo && git checkout ${SHA}\n`)
      await writeFile(join(dir, 'repo.bundle'), '# v2 git bundle\n')
      expect(await readRepoSource(dir)).toEqual({ url: 'https://example.com/y.git', baseCommit: SHA, bundlePath: join(dir, 'repo.bundle') })
    } finally {
      await cleanup()
    }
  })
})

describe('cooperbench.json', () => {
  it('reads local.hostTools; absent file → null', async () => {
    const { dir, cleanup } = await tempDir('manifest')
    try {
      expect(await readTaskManifest(dir)).toBeNull()
      await writeFile(join(dir, 'cooperbench.json'), '{"local":{"hostTools":["bash","git","python3"]},"future":1}')
      expect(await readTaskManifest(dir)).toEqual({ local: { hostTools: ['bash', 'git', 'python3'] } })
    } finally {
      await cleanup()
    }
  })

  it.each([
    ['{', /is not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{"local": []}', /"local" must be an object/],
    ['{"local": {}}', /"local.hostTools" must be an array/],
    ['{"local": {"hostTools": ["bash", 3]}}', /"local.hostTools\[1\]" must be a non-empty string, got 3/],
  ])('rejects %s with DATASET_INVALID naming the file', (text, problem) => {
    expect(() => parseTaskManifest(text, '/d/r_task/task1/cooperbench.json')).toThrow(problem)
    try {
      parseTaskManifest(text, '/d/r_task/task1/cooperbench.json')
    } catch (error) {
      expect(error).toMatchObject({ code: 'DATASET_INVALID', message: expect.stringContaining('/d/r_task/task1/cooperbench.json') })
      expect((error as { hint: string }).hint).toContain('hostTools')
    }
  })
})

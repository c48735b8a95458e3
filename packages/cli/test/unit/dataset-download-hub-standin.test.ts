/**
 * The stand-in hub the download tests use, read by the real client: what `@huggingface/hub`
 * parses from it must be what it parses from huggingface.co, or those tests prove nothing.
 */
import { datasetInfo, downloadFile, fileDownloadInfo, HubApiError, listFiles } from '@huggingface/hub'
import { gitBlobSha1, type HfHubStandIn, sha256Hex, startHfHubStandIn } from '@cooperbench/standins/hf-hub'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repo = { type: 'dataset' as const, name: 'cooperbench/cooperbench' }
const files = {
  'README.md': '# readme\n',
  'alpha_task/task1/Dockerfile': 'FROM scratch\n',
  'alpha_task/task1/feature1/feature.md': 'one\n',
  'alpha_task/task1/repo.bundle': Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251)),
  'subsets/lite.json': '{"tasks": []}\n',
}
let hub: HfHubStandIn
beforeAll(async () => {
  hub = await startHfHubStandIn({ repo: repo.name, files, lfs: (path) => path.endsWith('.bundle'), pageSize: 2 })
})
afterAll(() => hub.close())

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

describe('the stand-in hub, as @huggingface/hub reads it', () => {
  it('listFiles pages through the recursive tree: folders and files, blob ids, LFS entries with sha256 and pointer size', async () => {
    const entries = await all(listFiles({ repo, hubUrl: hub.url, recursive: true }))
    expect(entries.filter((e) => e.type === 'file').map((e) => e.path)).toEqual(Object.keys(files).sort())
    expect(entries.filter((e) => e.type === 'directory').map((e) => e.path)).toEqual(['alpha_task', 'alpha_task/task1', 'alpha_task/task1/feature1', 'subsets'])
    const readme = entries.find((e) => e.path === 'README.md')!
    expect(readme).toMatchObject({ oid: gitBlobSha1(Buffer.from(files['README.md'])), size: 9 })
    expect(readme.lfs).toBeUndefined()
    const bundle = entries.find((e) => e.path === 'alpha_task/task1/repo.bundle')!
    expect(bundle).toMatchObject({ size: 5000, lfs: { oid: sha256Hex(files['alpha_task/task1/repo.bundle']), size: 5000 } })
    expect(bundle.lfs!.pointerSize).toBeGreaterThan(100)
    // Pages of 2: the client followed Link rel="next" until the end.
    expect(hub.requests.filter((r) => r.url.includes('/tree/main')).length).toBe(Math.ceil(entries.length / 2))
  })

  it("datasetInfo resolves a revision to its commit (sha), as the client's snapshot download reads it", async () => {
    const info = await datasetInfo({ name: repo.name, hubUrl: hub.url, revision: 'main', additionalFields: ['sha'] })
    expect(info).toMatchObject({ name: repo.name, sha: hub.commit, private: false })
    expect(info.sha).toMatch(/^[0-9a-f]{40}$/)
    expect(await datasetInfo({ name: repo.name, hubUrl: hub.url, revision: hub.commit, additionalFields: ['sha'] })).toMatchObject({ sha: hub.commit })
    const unknown = await datasetInfo({ name: repo.name, hubUrl: hub.url, revision: 'v9' }).catch((e: unknown) => e)
    expect(unknown).toMatchObject({ statusCode: 404, message: expect.stringContaining('Invalid rev id: v9') })
  })

  it('listFiles without recursion lists one folder level', async () => {
    const entries = await all(listFiles({ repo, hubUrl: hub.url, path: 'alpha_task/task1' }))
    expect(entries.map((e) => `${e.type} ${e.path}`)).toEqual([
      'file alpha_task/task1/Dockerfile',
      'directory alpha_task/task1/feature1',
      'file alpha_task/task1/repo.bundle',
    ])
  })

  it('fileDownloadInfo reads size and ETag (the blob id; the sha256 for LFS, whose URL becomes the CDN one)', async () => {
    const info = await fileDownloadInfo({ repo, hubUrl: hub.url, path: 'README.md' })
    expect(info).toMatchObject({ size: 9, etag: `"${gitBlobSha1(Buffer.from(files['README.md']))}"` })
    const lfs = await fileDownloadInfo({ repo, hubUrl: hub.url, path: 'alpha_task/task1/repo.bundle' })
    expect(lfs).toMatchObject({ size: 5000, etag: `"${sha256Hex(files['alpha_task/task1/repo.bundle'])}"` })
    expect(lfs!.url).toContain('/cdn-lfs/')
    expect(await fileDownloadInfo({ repo, hubUrl: hub.url, path: 'nope.txt' }), 'EntryNotFound is null').toBeNull()
  })

  it('downloadFile gives the bytes, and a slice of it is a Range request answered with 206', async () => {
    const blob = (await downloadFile({ repo, hubUrl: hub.url, path: 'alpha_task/task1/repo.bundle' }))!
    expect(Buffer.from(await blob.arrayBuffer())).toEqual(files['alpha_task/task1/repo.bundle'])
    const tail = Buffer.from(await blob.slice(4000).arrayBuffer())
    expect(tail).toEqual(files['alpha_task/task1/repo.bundle'].subarray(4000))
    expect(hub.requests.at(-1)).toMatchObject({ range: 'bytes=4000-4999', status: 206 })
  })

  it('an unknown revision or repo is the HubApiError 404 the client throws for the real hub', async () => {
    const revision = await all(listFiles({ repo, hubUrl: hub.url, revision: 'v9' })).catch((e: unknown) => e)
    expect(revision).toBeInstanceOf(HubApiError)
    expect(revision).toMatchObject({ statusCode: 404, message: expect.stringContaining('Invalid rev id: v9') })
    const other = await all(listFiles({ repo: { type: 'dataset', name: 'someone/else' }, hubUrl: hub.url })).catch((e: unknown) => e)
    expect(other).toMatchObject({ statusCode: 404 })
  })
})

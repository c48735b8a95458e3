import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkSiteTarget, moveSiteIntoPlace, SITE_MARK, siteStaging } from '../../src/api/site-folder.js'

let root: string | undefined
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

describe("the leaderboard site's folder", () => {
  it('takes a new or empty folder and an earlier site, never a folder of other files or a file', async () => {
    root = await mkdtemp(join(tmpdir(), 'cb-site-folder-'))
    await expect(checkSiteTarget(join(root, 'new', 'site'))).resolves.toBeUndefined()
    await mkdir(join(root, 'empty'))
    await expect(checkSiteTarget(join(root, 'empty'))).resolves.toBeUndefined()
    await mkdir(join(root, 'earlier'))
    await writeFile(join(root, 'earlier', SITE_MARK), '{}')
    await expect(checkSiteTarget(join(root, 'earlier'))).resolves.toBeUndefined()
    await mkdir(join(root, 'notes'))
    await writeFile(join(root, 'notes', 'todo.txt'), 'keep me')
    await expect(checkSiteTarget(join(root, 'notes'))).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('not a leaderboard site') })
    await writeFile(join(root, 'file'), '')
    await expect(checkSiteTarget(join(root, 'file'))).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('is a file') })
  })

  it('moves a site built beside the old one into its place, the old one gone and nothing else left', async () => {
    root = await mkdtemp(join(tmpdir(), 'cb-site-folder-'))
    const out = join(root, 'site')
    await mkdir(out)
    await writeFile(join(out, SITE_MARK), '"old"')
    await writeFile(join(out, 'stale.html'), '')
    const staging = await siteStaging(out)
    await writeFile(join(staging, SITE_MARK), '"new"')
    await moveSiteIntoPlace(staging, out)
    expect(await readdir(root)).toEqual(['site'])
    expect(await readdir(out)).toEqual([SITE_MARK])
    expect(await readFile(join(out, SITE_MARK), 'utf8')).toBe('"new"')
  })
})

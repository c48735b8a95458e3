import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { renderLatex } from '../../src/formats/latex.js'
import { reportOf, TWO_RUNS } from '../support/pair-folders.js'

const run = promisify(execFile)
const has = (tool: string) =>
  run('sh', ['-c', `command -v ${tool}`]).then(
    () => true,
    () => false,
  )
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url))
const made: string[] = []
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))))

/**
 * The LaTeX report in a real article: it compiles with pdflatex and booktabs, and no table is wider
 * than the page's text (no overfull box). Skipped where pdflatex is not installed (Debian:
 * texlive-latex-base and texlive-latex-recommended); with pdftoppm the first page is written to
 * test/artifacts/report-latex.png to look at.
 */
describe('latex report in pdflatex', () => {
  it('compiles in an article with booktabs, every table within the text width', async (ctx) => {
    if (!(await has('pdflatex'))) ctx.skip()
    const dir = await mkdtemp(join(tmpdir(), 'cb-latex-'))
    made.push(dir)
    await writeFile(join(dir, 'report.tex'), renderLatex(await reportOf(TWO_RUNS)))
    await writeFile(
      join(dir, 'paper.tex'),
      ['\\documentclass{article}', '\\usepackage{booktabs}', '\\begin{document}', '\\input{report}', '\\end{document}', ''].join('\n'),
    )
    const compiled = await run('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'paper.tex'], { cwd: dir, timeout: 120_000 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
    )
    const log = await readFile(join(dir, 'paper.log'), 'utf8').catch(() => compiled.stdout)
    expect(log, log.slice(-3000)).toMatch(/Output written on paper\.pdf \(\d+ pages?/)
    expect(log.match(/Overfull \\hbox.*/g) ?? []).toEqual([])
    if (await has('pdftoppm')) {
      await mkdir(ARTIFACTS, { recursive: true })
      await run('pdftoppm', ['-png', '-r', '110', '-singlefile', join(dir, 'paper.pdf'), join(ARTIFACTS, 'report-latex')])
    }
  }, 150_000)
})

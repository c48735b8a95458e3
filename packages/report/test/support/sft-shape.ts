import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The rules Hugging Face `datasets` needs of a JSON Lines file to load it as it is: its JSON
 * loader reads the lines with Apache Arrow, which gives every column (and every nested field and
 * list item) one type, so a value that is an object in one row and a string in another, or a list
 * mixing numbers and strings, fails with `JSON parse error: Column(/x) changed from object to
 * string` (the Hub's dataset viewer issues, e.g. huggingface.co/datasets/slotreck/pickle/discussions/1).
 * Null stands for any type. Returns each conflict as `path: type vs type`.
 */
export function jsonLinesShapeProblems(text: string): string[] {
  const seen = new Map<string, string>()
  const problems: string[] = []
  const visit = (value: unknown, path: string) => {
    if (value === null) return
    const type = Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value
    const before = seen.get(path)
    if (before !== undefined && before !== type) problems.push(`${path || '/'}: ${before} vs ${type}`)
    seen.set(path, before ?? type)
    if (Array.isArray(value)) for (const item of value) visit(item, `${path}/[]`)
    else if (type === 'object') for (const [key, item] of Object.entries(value as object)) visit(item, `${path}/${key}`)
  }
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue
    const row = JSON.parse(line) as unknown
    if (row === null || typeof row !== 'object' || Array.isArray(row)) problems.push(`line ${i + 1} is not an object`)
    else visit(row, '')
  }
  return [...new Set(problems)]
}

/** A Python with Hugging Face `datasets` (COOPERBENCH_DATASETS_PYTHON, else python3), or null when none has it. */
export function pythonWithDatasets(): string | null {
  const python = process.env.COOPERBENCH_DATASETS_PYTHON ?? 'python3'
  return spawnSync(python, ['-c', 'import datasets'], { stdio: 'ignore' }).status === 0 ? python : null
}

/** The rows `datasets.load_dataset("json", data_dir=dir)` gives for the train split, as JSON, with its column names. */
export function loadWithDatasets(python: string, dir: string): { rows: number; columns: string[] } {
  const script =
    'import datasets, json, sys\nd = datasets.load_dataset("json", data_dir=sys.argv[1])["train"]\nprint(json.dumps({"rows": d.num_rows, "columns": d.column_names}))'
  // Its cache in a folder of its own, removed after: nothing of the user's is read or written.
  const home = mkdtempSync(join(tmpdir(), 'cb-hf-'))
  const r = spawnSync(python, ['-c', script, dir], { encoding: 'utf8', env: { ...process.env, HF_HOME: home, HF_DATASETS_OFFLINE: '1', HF_HUB_OFFLINE: '1' } })
  rmSync(home, { recursive: true, force: true })
  if (r.status !== 0) throw new Error(`datasets could not load ${dir}:\n${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rows: number; columns: string[] }
}

import { shellQuote } from '@cooperbench/spec-utils/host'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SANDBOX_PATCHES_DIR } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { buildGoldPairScript } from '../../src/conflicts/gold-pair-script.js'
import { buildCoopSetupScript, buildSoloSetupScript, PATCH_FILES } from '../../src/evaluator/setup-script.js'
import { fileDigest, parseSetupReport } from '../../src/evaluator/setup-report.js'
import {
  EVAL_GIT_EMAIL,
  EVAL_GIT_NAME,
  buildFeatureTestScript,
  clearStaleLocksStep,
  joinScript,
  mergedDiffStep,
  reportPatchFilesStep,
} from '../../src/evaluator/shell.js'

const BASE = 'cc2dd41cbb088b7e757c04824d0a878342a28716'

const scripts: Record<string, string> = {
  coop: buildCoopSetupScript({
    files: ['patch1.patch', 'patch2.patch', 'patch1.repaired.patch', 'tests1.patch', 'tests2.patch'],
    repaired: [true, false],
  }),
  solo: buildSoloSetupScript({ files: ['solo.patch', 'tests1.patch', 'tests2.patch'], patch: 'solo.patch', repaired: false }),
  soloRepaired: buildSoloSetupScript({ files: ['solo.patch', 'solo.repaired.patch'], patch: 'solo.patch', repaired: true }),
  feature: buildFeatureTestScript({ base: BASE, testsPatch: 'tests1.patch', featurePatch: 'merged.patch' }),
  goldFirst: buildGoldPairScript(),
  goldNext: buildGoldPairScript(BASE),
  coopTeam: buildCoopSetupScript({
    files: ['patch1.patch', 'patch2.patch', 'patch3.patch', 'patch2.repaired.patch', 'tests1.patch', 'tests2.patch', 'tests3.patch'],
    repaired: [false, true, false],
  }),
  goldTeam: buildGoldPairScript(undefined, 3),
}

/** Lines of a script that run git, other than through the `cb_git` wrapper's own body. */
function rawGitLines(script: string): string[] {
  return script
    .split('\n')
    .filter((l) => /(^|[\s;(&|$])git\s/.test(l) && !l.includes('cb_git') && !l.includes('hash-object'))
    .filter((l) => !/^\s*git -c safe\.directory/.test(l))
}

describe('evaluator scripts', () => {
  it.each(Object.keys(scripts))('%s is valid bash', (name) => {
    expect(() => execFileSync('bash', ['-n'], { input: scripts[name] })).not.toThrow()
  })

  it.each(Object.keys(scripts))('%s merges stderr into stdout and runs in the repository', (name) => {
    const s = scripts[name]!
    expect(s.startsWith('exec 2>&1\n')).toBe(true)
    expect(s).toContain('cd /workspace/repo ||')
  })

  it.each(Object.keys(scripts))('%s runs every git command with hooks off and the eval identity', (name) => {
    const s = scripts[name]!
    expect(rawGitLines(s)).toEqual([])
    expect(s).toContain('-c core.hooksPath=/dev/null')
    expect(s).toContain(`-c user.name=${shellQuote(EVAL_GIT_NAME)} -c user.email=${shellQuote(EVAL_GIT_EMAIL)}`)
    const commits = s.split('\n').filter((l) => l.includes('cb_git commit'))
    for (const commit of commits) expect(commit).toContain('--no-verify')
    if (name !== 'feature' && !name.startsWith('solo')) expect(commits.length).toBeGreaterThan(0)
  })

  it('coop setup: files, BASE, agent1 then agent2 from BASE, naive merge, union fallback, merged diff, end marker', () => {
    const s = scripts.coop!
    const order = [
      'cb_mark file',
      'cb_mark base "$BASE"',
      'cb_git update-index -q --refresh',
      "cb_branch 'agent1' '/patches/patch1.patch' '/patches/patch1.repaired.patch' 'Agent 1 changes'",
      "cb_branch 'agent2' '/patches/patch2.patch' '' 'Agent 2 changes'",
      'cb_git merge -q --no-commit --no-ff agent1',
      'echo \'* merge=union\' >> "$cb_attrs"',
      'cb_git diff --binary',
      'cb_mark setup done',
    ]
    // The union step has its own early end marker; the final one is the last.
    const positions = order.map((needle) => (needle === 'cb_mark setup done' ? s.lastIndexOf(needle) : s.indexOf(needle)))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    expect(s).toContain("-m 'Temp merge'")
    expect(s).toContain("-m 'Temp union merge'")
    expect(s).toContain('> /patches/merged.patch')
  })

  it('a team of three: three branches, then agent3 receives agent1 and agent2 in order, naive then union from the same start', () => {
    const s = scripts.coopTeam!
    const order = [
      "cb_branch 'agent1' '/patches/patch1.patch' '' 'Agent 1 changes'",
      "cb_branch 'agent2' '/patches/patch2.patch' '/patches/patch2.repaired.patch' 'Agent 2 changes'",
      "cb_branch 'agent3' '/patches/patch3.patch' '' 'Agent 3 changes'",
      "for cb_b in 'agent1' 'agent2'; do",
      'cb_mark naive "$NAIVE"',
      'cb_git reset -q --hard "$cb_start"',
      "echo '* merge=union'",
      "for cb_b in 'agent1' 'agent2'; do",
      'cb_mark union "$UNION"',
      'cb_git diff --binary',
    ]
    let at = 0
    for (const needle of order) {
      const found = s.indexOf(needle, at)
      expect(found, needle).toBeGreaterThanOrEqual(at)
      at = found + needle.length
    }
    expect(s).toContain('[ -n "$(cb_git log --format=%H -1 "^$BASE" agent1 agent2 agent3 -- .gitattributes)" ]')
    const gold = scripts.goldTeam!
    expect(gold).toContain("for cb_f in 'gold1.patch' 'gold2.patch' 'gold3.patch'; do")
    expect(gold).toContain('cb_mark merge "$cb_merge"')
  })

  it('coop setup: apply is plain first, then --3way, and a failed patch is undone', () => {
    const s = scripts.coop!
    expect(s).toContain('cb_git apply "$1" && return 0')
    expect(s).toContain('cb_git apply --3way "$1" && return 0')
    expect(s).toContain('cb_restore() { cb_git reset -q --hard && cb_git clean -fdxq; }')
  })

  it('gold check: --ignore-whitespace first, naive merge only', () => {
    expect(scripts.goldFirst).toContain('cb_git apply --ignore-whitespace "$1" && return 0')
    expect(scripts.goldFirst).not.toContain('merge=union')
    expect(scripts.goldFirst).toContain("BASE=$(cb_git rev-parse --verify -q 'HEAD^{commit}')")
    expect(scripts.goldNext).toContain(`BASE='${BASE}'`)
  })

  it('solo setup tries the repaired variant only when one was written', () => {
    expect(scripts.solo).not.toContain('solo.repaired.patch')
    expect(scripts.soloRepaired).toContain(`cp -f '/patches/${PATCH_FILES.repaired(PATCH_FILES.solo)}' '/patches/${PATCH_FILES.solo}'`)
  })

  it('feature run: stale locks, forced checkout to BASE, clean, marker line, then the runner', () => {
    const s = scripts.feature!
    const order = [
      'cb_locks+=("$cb_gd/index.lock")',
      '"$cb_gd"/refs/heads/**/*.lock',
      'rm -f -- "${cb_locks[@]}"',
      // A new container's index is stale: refreshed, the forced checkout rewrites only what differs.
      'cb_git update-index -q --refresh',
      'cb_git checkout -q -f --detach "$BASE"',
      'cb_git clean -fdxq',
      'echo "Reset to base: $BASE"',
      "bash /usr/local/bin/runner.sh 'tests1.patch' 'merged.patch'",
    ]
    const positions = order.map((needle) => s.indexOf(needle))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    expect(s).toContain(`bash /usr/local/bin/runner.sh 'tests1.patch' 'merged.patch' 2>&1 | cb_keep_ends 1048576 1048576`)
    expect(s.trimEnd().endsWith('exit "${PIPESTATUS[0]}"')).toBe(true)
  })

  it("feature run: keeps the runner's exit status and only the two ends of a huge output", () => {
    const script = (body: string) =>
      buildFeatureTestScript({ base: BASE, testsPatch: 't', featurePatch: 'f' }, { headBytes: 8, tailBytes: 6 })
        .replace(/^cd \/workspace\/repo.*$/m, '')
        // No repository here: everything between BASE and the marker line goes.
        .replace(/^if \[ -d \.git \][\s\S]*?(?=^echo "Reset to base)/m, '')
        .replace('bash /usr/local/bin/runner.sh', body)
    const run = (body: string) => {
      try {
        return { out: execFileSync('bash', ['-c', script(body)]).toString(), code: 0 }
      } catch (error) {
        const e = error as { stdout: Buffer; status: number }
        return { out: e.stdout.toString(), code: e.status }
      }
    }
    const big = run(`bash -c "printf HEAD----; head -c 100000 /dev/zero | tr '\\\\0' x; printf passed; exit 3"`)
    expect(big.code).toBe(3)
    expect(big.out).toBe(`Reset to base: ${BASE}\nHEAD----\n[... output truncated by cooperbench: 100000 bytes omitted ...]\npassed`)
    const small = run('bash -c "printf short"')
    expect(small).toEqual({ out: `Reset to base: ${BASE}\nshort`, code: 0 })
  })

  it('feature run: the kept output is byte for byte the head, the marker and the tail, at every boundary', () => {
    const script = buildFeatureTestScript({ base: BASE, testsPatch: 't', featurePatch: 'f' }, { headBytes: 8, tailBytes: 6 })
      .replace(/^cd \/workspace\/repo.*$/m, '')
      .replace(/^if \[ -d \.git \][\s\S]*?(?=^echo "Reset to base)/m, '')
      .replace('bash /usr/local/bin/runner.sh', `bash -c 'cat "$CB_OUTPUT"; exit 5'`)
    const dir = mkdtempSync(join(tmpdir(), 'cb-ends-'))
    try {
      const outputs = [
        Buffer.alloc(0),
        Buffer.from('12345678'),
        Buffer.from('123456789'),
        Buffer.from('12345678\0ab'),
        Buffer.from('12345678\0'),
        Buffer.from('12345678abcdef'),
        Buffer.from('12345678abcdefg'),
        Buffer.from('1234567é tail é'),
        Buffer.from('12345678\né\0\nz'),
        Buffer.concat([Buffer.from('12345678'), Buffer.alloc(5000, 0), Buffer.from('ending')]),
      ]
      for (const [i, output] of outputs.entries()) {
        const file = join(dir, `out${i}`)
        writeFileSync(file, output)
        const rest = output.subarray(8)
        const kept =
          rest.length > 6
            ? Buffer.concat([
                output.subarray(0, 8),
                Buffer.from(`\n[... output truncated by cooperbench: ${rest.length - 6} bytes omitted ...]\n`),
                rest.subarray(-6),
              ])
            : output
        let got: { out: Buffer; code: number }
        try {
          got = { out: execFileSync('bash', ['-c', script], { env: { ...process.env, CB_OUTPUT: file, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } }), code: 0 }
        } catch (error) {
          const e = error as { stdout: Buffer; status: number }
          got = { out: e.stdout, code: e.status }
        }
        expect(got.code, `output ${i}`).toBe(5)
        expect(got.out.toString('hex'), `output ${i}`).toBe(Buffer.concat([Buffer.from(`Reset to base: ${BASE}\n`), kept]).toString('hex'))
      }
      // No temporary folder for the tail: the rest goes through whole rather than being lost.
      const file = join(dir, 'long')
      writeFileSync(file, '0123456789'.repeat(5))
      const whole = spawnSync('bash', ['-c', script], { env: { ...process.env, CB_OUTPUT: file, TMPDIR: join(dir, 'missing') } })
      expect(whole.status).toBe(5)
      expect(whole.stdout.toString()).toBe(`Reset to base: ${BASE}\n${'0123456789'.repeat(5)}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('script pieces', () => {
  it('shellQuote survives bash for awkward values', () => {
    const values = ["it's", 'a b', '$HOME', '`x`', '"q"', "'\\''", '\\n', '']
    const script = values.map((v) => `printf '%s\\0' ${shellQuote(v)}`).join('\n')
    const out = execFileSync('bash', ['-c', script]).toString()
    expect(out.split('\0').slice(0, -1)).toEqual(values)
  })

  it('joinScript joins pieces with single newlines and ends with one', () => {
    expect(joinScript('a\n', 'b', 'c\n\n')).toBe('a\nb\nc\n')
  })

  it('the file report prints size and git blob digest of each file, in one wc and one git for all', () => {
    expect(reportPatchFilesStep([])).toBe('')
    const s = reportPatchFilesStep(['patch1.patch', "o'dd.patch"])
    expect(s).toContain("for cb_f in 'patch1.patch' 'o'\\''dd.patch'; do")
    expect(s).toContain('git hash-object --stdin-paths')
    // Run in bash against a folder standing for /patches: what it prints is what the evaluator checks.
    const dir = mkdtempSync(join(tmpdir(), 'cb-report-'))
    try {
      const files: Record<string, Uint8Array> = {
        'patch1.patch': Buffer.from('diff --git a/x b/x\n'),
        "o'dd.patch": Buffer.from([0, 1, 2, 255, 10]),
        'empty.patch': new Uint8Array(),
        'big.patch': Buffer.alloc(1_234_567, 'x'),
      }
      for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes)
      const names = ['patch1.patch', 'missing.patch', "o'dd.patch", 'empty.patch', 'big.patch']
      const step = reportPatchFilesStep(names).replaceAll(SANDBOX_PATCHES_DIR, dir)
      const out = execFileSync('bash', ['-c', `cb_mark() { printf '::cb:: %s=%s\\n' "$1" "$2"; }\n${step}`]).toString()
      const report = parseSetupReport(out)
      expect(Object.fromEntries(report.files)).toEqual({
        ...Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, fileDigest(bytes)])),
        'missing.patch': null,
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('the lock step removes index.lock and branch locks at any depth, nothing else, without find', () => {
    const step = clearStaleLocksStep()
    expect(step).not.toContain('find ')
    const dir = mkdtempSync(join(tmpdir(), 'cb-locks-'))
    try {
      const heads = join(dir, '.git', 'refs', 'heads')
      mkdirSync(join(heads, 'feature', 'deep'), { recursive: true })
      mkdirSync(join(heads, 'dir.lock'))
      for (const file of ['main', 'main.lock', 'feature/x.lock', 'feature/deep/y.lock', 'feature/keep']) writeFileSync(join(heads, file), '')
      symlinkSync(join(heads, 'main'), join(heads, 'link.lock'))
      writeFileSync(join(dir, '.git', 'index.lock'), '')
      writeFileSync(join(dir, '.git', 'HEAD.lock'), '')
      execFileSync('bash', ['-c', `cb_fail() { exit 9; }\n${step}`], { cwd: dir })
      const left = (sub: string) => readdirSync(join(heads, sub)).sort()
      expect(left('')).toEqual(['dir.lock', 'feature', 'link.lock', 'main'])
      expect(left('feature')).toEqual(['deep', 'keep'])
      expect(left('feature/deep')).toEqual([])
      expect(readdirSync(join(dir, '.git')).sort()).toEqual(['HEAD.lock', 'refs'])
      // No stale lock: nothing to remove, and no error either.
      expect(execFileSync('bash', ['-c', `cb_fail() { exit 9; }\n${step}`], { cwd: dir }).toString()).toBe('')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("the merged diff's size and head are the same whether base64 wraps lines or not", () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-merged-'))
    try {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir })
      git('init', '-q')
      writeFileSync(join(dir, 'a.txt'), 'one\n')
      git('add', '-A')
      git('commit', '-qm', 'base')
      const base = git('rev-parse', 'HEAD').toString().trim()
      const step = mergedDiffStep().replaceAll(SANDBOX_PATCHES_DIR, dir)
      const run = (withoutWrapOption: boolean) =>
        execFileSync(
          'bash',
          [
            '-c',
            [
              `cb_mark() { printf '::cb:: %s=%s\\n' "$1" "$2"; }`,
              'cb_fail() { exit 9; }',
              'cb_git() { git "$@"; }',
              // A base64 without GNU's -w (busybox builds, BSD) takes the other way.
              withoutWrapOption ? 'base64() { [ "$1" = -w ] && return 1; command base64 "$@"; }' : '',
              `BASE=${base}`,
              step,
            ].join('\n'),
          ],
          { cwd: dir },
        ).toString()
      for (const bytes of [100, 30_000]) {
        writeFileSync(join(dir, 'a.txt'), `${'x'.repeat(bytes)}\n`)
        git('commit', '-qam', String(bytes))
        const merged = Buffer.from(git('diff', '--binary', '--src-prefix=a/', '--dst-prefix=b/', base, 'HEAD'))
        const expected = `::cb:: merged_size=${merged.length}\n::cb:: merged_head_b64=${merged.subarray(0, 20_000).toString('base64')}\n`
        expect(run(false)).toBe(expected)
        expect(run(true)).toBe(expected)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

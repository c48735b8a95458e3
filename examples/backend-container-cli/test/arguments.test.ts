import { execFile, spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { promisify } from 'node:util'
import { isCooperbenchError, SANDBOX_LABELS, type SandboxSpec, type Task } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { processGroupExecArgv, processGroupKillArgv } from '@cooperbench/backend-kit'
import { containerName, execArguments, LOGIN_ENTRY, owner, KEEP_ALIVE_SECONDS, killArguments, runArguments, sandboxLabels } from '../src/index.js'

const run = promisify(execFile)

const task: Task = {
  repo: 'pallets_jinja_task',
  taskId: 1621,
  dir: '/datasets/pallets_jinja_task/task1621',
  features: [],
  source: { url: null, bundlePath: null, baseCommit: null },
  manifest: null,
}

function spec(overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    task,
    image: 'akhatua/cooperbench-pallets-jinja:task1621',
    role: 'agent1',
    labels: { [SANDBOX_LABELS.run]: 'my-run', [SANDBOX_LABELS.runId]: 'abc123', [SANDBOX_LABELS.pair]: 'f1_f5' },
    ...overrides,
  }
}

const noLimits = { network: 'none', memory: null, cpus: null } as const

/** The values that follow each occurrence of `flag` in `args`. */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((arg, index) => (arg === flag ? [args[index + 1]!] : []))
}

describe('run arguments', () => {
  it('start a detached container under an init process, idle in sleep, with the image last but one', () => {
    const args = runArguments({ name: 'cooperbench-my-run-agent1-0a1b2c3d', spec: spec(), options: noLimits, labels: {} })
    expect(args).toEqual([
      'run',
      '--detach',
      '--init',
      '--name',
      'cooperbench-my-run-agent1-0a1b2c3d',
      '--network',
      'none',
      '--pull',
      'never',
      '--workdir',
      '/workspace/repo',
      '--entrypoint',
      'sleep',
      'akhatua/cooperbench-pallets-jinja:task1621',
      String(KEEP_ALIVE_SECONDS),
    ])
  })

  it("carry the spec's labels, the role, the backend, the task and the owning process", () => {
    const args = runArguments({ name: 'c', spec: spec(), options: noLimits })
    expect(valuesOf(args, '--label')).toEqual([
      'cooperbench.backend=container-cli',
      `cooperbench.owner.host=${hostname()}`,
      `cooperbench.owner.pid=${process.pid}`,
      expect.stringMatching(/^cooperbench\.owner\.start=\d*$/),
      'cooperbench.pair=f1_f5',
      'cooperbench.role=agent1',
      'cooperbench.run=my-run',
      'cooperbench.run_id=abc123',
      'cooperbench.task=pallets_jinja_task/1621',
    ])
  })

  it('keep a role label the harness set, and a value with "=" and spaces whole', () => {
    const labels = sandboxLabels(spec({ role: 'eval', labels: { [SANDBOX_LABELS.role]: 'solo', 'x.note': 'a=b c' } }))
    expect(labels[SANDBOX_LABELS.role]).toBe('solo')
    const args = runArguments({ name: 'c', spec: spec(), options: noLimits, labels })
    expect(valuesOf(args, '--label')).toContain('x.note=a=b c')
  })

  it('pass the network option', () => {
    for (const network of ['none', 'host', 'bridge'] as const) {
      expect(valuesOf(runArguments({ name: 'c', spec: spec(), options: { ...noLimits, network }, labels: {} }), '--network')).toEqual([network])
    }
  })

  it('set memory and CPU limits only when configured', () => {
    const limited = runArguments({ name: 'c', spec: spec(), options: { network: 'none', memory: '512m', cpus: 1.5 }, labels: {} })
    expect(valuesOf(limited, '--memory')).toEqual(['512m'])
    expect(valuesOf(limited, '--cpus')).toEqual(['1.5'])
    const free = runArguments({ name: 'c', spec: spec(), options: noLimits, labels: {} })
    expect(free).not.toContain('--memory')
    expect(free).not.toContain('--cpus')
  })

  it('bind-mount each shared directory host:sandbox, host paths made absolute', () => {
    const sharedDirs = [
      { hostPath: '/runs/r1/team.git', sandboxPath: '/cooperbench/team.git' },
      { hostPath: 'relative/dir', sandboxPath: '/cooperbench/other' },
    ]
    const args = runArguments({ name: 'c', spec: spec({ sharedDirs }), options: noLimits, labels: {} })
    expect(valuesOf(args, '--volume')).toEqual(['/runs/r1/team.git:/cooperbench/team.git', `${process.cwd()}/relative/dir:/cooperbench/other`])
    // Options come before the image: everything after it would be the command's arguments.
    expect(args.lastIndexOf('--volume')).toBeLessThan(args.indexOf(spec().image))
  })

  it('refuse a shared directory whose path has a colon, with a hint', () => {
    let error: unknown
    try {
      runArguments({ name: 'c', spec: spec({ sharedDirs: [{ hostPath: '/runs/a:b', sandboxPath: '/cooperbench/team.git' }] }), options: noLimits })
    } catch (caught) {
      error = caught
    }
    expect(isCooperbenchError(error) && error.code).toBe('SANDBOX_FAILED')
    expect(isCooperbenchError(error) && error.hint).toMatch(/without ":"/)
  })
})

describe('container names', () => {
  it('are readable, valid for docker and podman, and unique', () => {
    const name = containerName(spec({ role: 'Agent 1', labels: { [SANDBOX_LABELS.run]: 'My Run/2024 ✓' } }))
    expect(name).toMatch(/^cooperbench-my-run-2024-agent-1-[0-9a-f]{8}$/)
    const long = containerName(spec({ labels: { [SANDBOX_LABELS.run]: 'x'.repeat(200) } }))
    expect(long).toMatch(/^cooperbench-x{40}-agent1-[0-9a-f]{8}$/)
    expect(containerName(spec({ labels: {} }))).toMatch(/^cooperbench-agent1-[0-9a-f]{8}$/)
    expect(containerName(spec())).not.toBe(containerName(spec()))
  })
})

describe('owner labels', () => {
  it('tell a live owner, a dead one and one on another host apart', () => {
    const own = sandboxLabels(spec())
    expect(owner.isAlive(own)).toBe(true)
    const dead = spawnSync('true').pid!
    expect(owner.isAlive({ ...own, 'cooperbench.owner.pid': String(dead), 'cooperbench.owner.start': '' })).toBe(false)
    expect(owner.isAlive({ ...own, 'cooperbench.owner.host': `not-${hostname()}` })).toBeNull()
    expect(owner.isAlive({})).toBeNull()
  })
})

describe('exec arguments', () => {
  it("run argv under the kit's exec wrapper, with the env, the cwd and stdin only when given", () => {
    const args = execArguments({
      container: 'box',
      id: 'e1',
      argv: ['bash', '-lc', 'echo "$A"'],
      cwd: '/workspace/repo',
      env: { A: 'two words', B: 'x=y' },
      stdin: true,
      login: true,
      user: '0',
    })
    expect(args).toEqual([
      'exec',
      '--interactive',
      '--user',
      '0',
      '--workdir',
      '/',
      '--env',
      'A=two words',
      '--env',
      'B=x=y',
      'box',
      ...processGroupExecArgv('e1', undefined, ['sh', '-c', LOGIN_ENTRY, 'cooperbench-login', 'bash', '-lc', 'echo "$A"'], '/workspace/repo'),
    ])
    const plain = execArguments({ container: 'box', id: 'e2', argv: ['pwd'], cwd: '/tmp', env: {}, stdin: false, login: false })
    expect(plain).not.toContain('--interactive')
    expect(plain).not.toContain('--user')
    expect(plain.slice(-2)).toEqual(['/tmp', 'pwd'])
  })

  it("kill as root with the kit's kill script and the exec id", () => {
    expect(killArguments('box', 'e1')).toEqual(['exec', '--user', '0', '--workdir', '/', 'box', ...processGroupKillArgv('e1')])
  })
})

describe("a login shell (run by this machine's sh)", () => {
  it('gets the PATH handed to the profile hook; a plain command does not', async () => {
    const probe = ['sh', '-c', 'echo "${COOPERBENCH_LOGIN_PATH-unset}"']
    const login = execArguments({ container: 'box', id: 'l1', argv: probe, cwd: '/', env: {}, stdin: false, login: true })
    const plain = execArguments({ container: 'box', id: 'l2', argv: probe, cwd: '/', env: {}, stdin: false, login: false })
    const inContainer = (args: string[]) => args.slice(args.indexOf('box') + 1)
    expect((await run(inContainer(login)[0]!, inContainer(login).slice(1))).stdout).toBe(`${process.env.PATH}\n`)
    expect((await run(inContainer(plain)[0]!, inContainer(plain).slice(1))).stdout).toBe('unset\n')
  })
})

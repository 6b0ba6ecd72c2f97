/**
 * The first minutes of a new user, on a fresh clone of this repository (committed HEAD, no
 * node_modules; npm's cache may be used): `npm start -- --nodes 2 --rounds 3` as the very first
 * command installs from the lockfile and completes, without engine-warning noise; a second start
 * does not reinstall; `npx murmur --help` lists every command; every fenced `murmur …`,
 * `npx murmur …` or `npm run murmur -- …` line in README.md is accepted by the CLI; and
 * `npm link` gives a `murmur` that works even on the system Node.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const REPO = fileURLToPath(new URL('..', import.meta.url))
const COMMANDS = ['sim', 'node', 'eval', 'pretrain', 'export', 'experiment', 'store']

interface Result { code: number | null, out: string, ms: number }

/**
 * The environment of a user's shell: this test runs under `npm run`, which puts this checkout's
 * node_modules/.bin (with its Node 22) first on PATH and sets npm_* variables; none of that may
 * leak into the clone.
 */
function userEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS') env[k] = v
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter(p => !p.includes('node_modules')).join(delimiter)
  return { ...env, ...extra }
}

async function sh (cmd: string, args: string[], cwd: string, env = userEnv(), timeoutMs = 1_500_000): Promise<Result> {
  const t0 = Date.now()
  // Its own process group, so a timeout kills npm's children (the build, the swarm) too.
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { out += d.toString() })
  const timer = setTimeout(() => { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>(resolve => { child.on('close', c => { resolve(c) }) })
  clearTimeout(timer)
  return { code, out, ms: Date.now() - t0 }
}

/** Command lines in README.md's fenced blocks that run the CLI, as argument lists after `murmur`. */
function readmeCommands (readme: string): Array<{ line: string, args: string[] }> {
  const out: Array<{ line: string, args: string[] }> = []
  let fenced = false
  for (const raw of readme.split('\n')) {
    if (raw.trim().startsWith('```')) { fenced = !fenced; continue }
    if (!fenced) continue
    const line = raw.replace(/\s+#.*$/, '').trim()
    const m = /^(?:npx murmur|npm run murmur --|murmur)(?:\s+(.*))?$/.exec(line)
    if (m !== null) out.push({ line, args: (m[1] ?? '').split(/\s+/).filter(a => a !== '') })
  }
  return out
}

describe('a newcomer on a fresh clone', () => {
  let clone = ''
  let base = ''
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'murmur-newcomer-'))
    clone = join(base, 'murmur')
    const r = await sh('git', ['clone', '--quiet', REPO, clone], base)
    expect(r.code, r.out).toBe(0)
  }, 120_000)
  afterAll(async () => { if (base !== '') await rm(base, { recursive: true, force: true }) })

  it('npm start as the very first command installs from the lockfile, runs the swarm, and is quiet about engines', async () => {
    const first = await sh('npm', ['start', '--', '--nodes', '2', '--rounds', '3'], clone, userEnv({ ONNXRUNTIME_NODE_INSTALL: '' }))
    console.log(`first npm start: ${(first.ms / 1000).toFixed(0)} s; its install output:\n${first.out.split('\n').filter(l => !/^\s*(node|-{3,}|\d+)\s/.test(l)).slice(0, 12).join('\n')}`)
    expect(first.code, first.out.slice(-4000)).toBe(0)
    expect(first.out).toContain('installing dependencies from package-lock.json')
    expect(first.out).toMatch(/mean reward: first quarter .* over 3 rounds × 2 nodes/)
    expect(first.out).not.toContain('EBADENGINE')
    expect(first.out).not.toContain('Unknown project config')
    // onnxruntime-node's CUDA download is skipped by default (it would fail offline).
    expect(first.out).not.toMatch(/nuget|Downloading/i)

    const second = await sh('npm', ['start', '--', '--nodes', '1', '--rounds', '1'], clone)
    expect(second.code, second.out.slice(-4000)).toBe(0)
    expect(second.out).not.toContain('installing dependencies')
    expect(second.out).not.toMatch(/added \d+ packages/)
  }, 3_000_000)

  it('npx murmur --help lists every command', async () => {
    const help = await sh('npx', ['murmur', '--help'], clone)
    expect(help.code, help.out).toBe(0)
    for (const c of COMMANDS) expect(help.out).toMatch(new RegExp(`^\\s+${c}\\s`, 'm'))
  })

  it('every fenced murmur command line in README.md is accepted by the CLI', async () => {
    const lines = readmeCommands(await readFile(join(clone, 'README.md'), 'utf8'))
    expect(lines.length).toBeGreaterThanOrEqual(3)
    for (const { line, args } of lines) {
      // Flags and positionals are checked before --help is honoured, so this rejects unknown ones.
      const help = await sh('npx', ['murmur', ...args, '--help'], clone)
      expect(help.code, `${line} --help\n${help.out}`).toBe(0)
      const rounds = args.indexOf('--rounds')
      if (rounds >= 0) {
        // Run it for real, with a tiny round count.
        const tiny = [...args]
        tiny[rounds + 1] = '1'
        if (tiny[0] === 'node') tiny.push('--no-eval')
        const run = await sh('npx', ['murmur', ...tiny], clone)
        expect(run.code, `${line} (with --rounds 1)\n${run.out.slice(-3000)}`).toBe(0)
      }
    }
  }, 600_000)

  it('npm link gives a murmur command that runs on the system Node', async () => {
    const prefix = join(base, 'global')
    const env = userEnv({ npm_config_prefix: prefix })
    const link = await sh('npm', ['link', '--no-audit', '--no-fund'], join(clone, 'apps', 'cli'), env)
    expect(link.code, link.out).toBe(0)
    const help = await sh(join(prefix, 'bin', 'murmur'), ['--help'], base, userEnv())
    expect(help.code, help.out).toBe(0)
    for (const c of COMMANDS) expect(help.out).toContain(c)
  }, 300_000)
})

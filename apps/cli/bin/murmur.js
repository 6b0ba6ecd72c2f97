#!/usr/bin/env node
// The `murmur` executable (package.json "bin"): a committed file, so npm links it at install time,
// before the TypeScript is built. It makes `npx murmur` (repo root) and `npm link` work as written:
// - on a Node older than 22 (`npm link` puts this file on the system Node) it re-runs itself on
//   the Node 22 pinned by the repo's `node` devDependency, when that is installed;
// - when `dist/` is missing or older than a source file (a fresh clone, a `git pull`, an edit) it
//   runs the repo's `tsc -b` first, as `npm run murmur` does.
// Plain JavaScript on purpose: it must load on any Node version to say what is wrong.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const entry = join(here, '..', 'dist', 'bin.js')
const repoRoot = join(here, '..', '..', '..')
const major = Number(process.versions.node.split('.')[0])

function resolveFromRepo (request) {
  try {
    return createRequire(join(repoRoot, 'package.json')).resolve(request)
  } catch {
    return undefined
  }
}

/** Newest modification time under `dir` (recursive), 0 when it does not exist. */
function newestMtime (dir) {
  let newest = 0
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const e of entries) {
    const path = join(dir, e.name)
    newest = Math.max(newest, e.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** True when some TypeScript project of the repo has sources newer than its last build. */
function needsBuild () {
  if (!existsSync(entry)) return true
  for (const group of ['packages', 'apps']) {
    let names
    try {
      names = readdirSync(join(repoRoot, group))
    } catch {
      continue
    }
    for (const name of names) {
      const project = join(repoRoot, group, name)
      if (!existsSync(join(project, 'tsconfig.json')) || !existsSync(join(project, 'src'))) continue
      const info = join(project, 'tsconfig.tsbuildinfo')
      if (!existsSync(info) || newestMtime(join(project, 'src')) > statSync(info).mtimeMs) return true
    }
  }
  return false
}

if (major < 22) {
  const pkg = resolveFromRepo('node/package.json')
  const pinned = pkg === undefined ? undefined : join(dirname(pkg), 'bin', process.platform === 'win32' ? 'node.exe' : 'node')
  if (pinned === undefined || !existsSync(pinned)) {
    process.stderr.write(`murmur: needs Node.js >= 22 (this is ${process.version}); run \`npm ci\` in ${repoRoot} to install the pinned one, or install Node 22\n`)
    process.exit(1)
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  // Ctrl-C reaches the whole process group, so the child already has SIGINT: do not send a second one.
  process.on('SIGINT', () => {})
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => { child.kill(sig) })
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1)
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  })
} else {
  if (needsBuild()) {
    const tsc = resolveFromRepo('typescript/bin/tsc')
    if (tsc === undefined) {
      process.stderr.write(`murmur: ${entry} is not built and TypeScript is not installed; run \`npm ci && npm run build\` in ${repoRoot}\n`)
      process.exit(1)
    }
    process.stderr.write('murmur: sources changed since the last build, building (tsc -b)…\n')
    const built = spawnSync(process.execPath, [tsc, '-b'], { cwd: repoRoot, stdio: 'inherit' })
    if (built.status !== 0) process.exit(built.status ?? 1)
  }
  await import(pathToFileURL(entry).href)
}

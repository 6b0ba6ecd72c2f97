#!/usr/bin/env node
// The `murmur` executable (package.json "bin"): a committed file, so npm links it at install time,
// before the TypeScript is built. It makes `npx murmur` (repo root) and `npm link` work as written:
// - on a Node older than 22 (`npm link` puts this file on the system Node) it re-runs itself on
//   the Node 22 pinned by the repo's `node` devDependency, when that is installed;
// - when `dist/` has not been built yet it builds it once with the repo's TypeScript.
// Plain JavaScript on purpose: it must load on any Node version to say what is wrong.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
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
  if (!existsSync(entry)) {
    const tsc = resolveFromRepo('typescript/bin/tsc')
    if (tsc === undefined) {
      process.stderr.write(`murmur: ${entry} is not built and TypeScript is not installed; run \`npm ci && npm run build\` in ${repoRoot}\n`)
      process.exit(1)
    }
    process.stderr.write('murmur: first run, building the TypeScript (tsc -b)…\n')
    const built = spawnSync(process.execPath, [tsc, '-b'], { cwd: repoRoot, stdio: 'inherit' })
    if (built.status !== 0) process.exit(built.status ?? 1)
  }
  await import(pathToFileURL(entry).href)
}

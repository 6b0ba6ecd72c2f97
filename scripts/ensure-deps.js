// Runs before `npm start` and `npm test` (prestart/pretest): when a package of the lockfile is
// missing from node_modules (a fresh clone), installs exactly the lockfile with `npm ci`; otherwise
// does nothing, so the second run does not reinstall. Runs on whatever Node runs npm (it may be
// older than the pinned 22), so it uses only long-stable APIs.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Lockfile entries missing from node_modules (optional, platform-specific packages are not required). */
export function missingPackages (dir) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'))
  const missing = []
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || entry.optional === true) continue
    if (entry.link === true) {
      if (!existsSync(join(dir, path))) missing.push(path)
      continue
    }
    const manifest = join(dir, path, 'package.json')
    if (!existsSync(manifest)) { missing.push(path); continue }
    const version = JSON.parse(readFileSync(manifest, 'utf8')).version
    if (entry.version !== undefined && version !== entry.version) missing.push(path)
  }
  // The pinned Node comes from the `node` package's install script: an interrupted install leaves no binary.
  const pinned = join(dir, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node')
  if (!missing.includes('node_modules/node') && !existsSync(pinned)) missing.push('node_modules/node (binary)')
  return missing
}

/**
 * npm checks every package's `engines` against the Node that runs npm itself; where that is older
 * than 22 it prints a multi-line EBADENGINE block per package although murmur never runs on it.
 * Those blocks are dropped (and explained in one line); every other line passes through.
 */
function filterEngineWarnings (stream, out) {
  let buffered = ''
  let dropped = 0
  stream.setEncoding('utf8')
  stream.on('data', chunk => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop()
    for (const line of lines) {
      if (/^npm warn EBADENGINE/.test(line)) dropped++
      else out.write(line + '\n')
    }
  })
  return () => {
    if (buffered !== '') out.write(buffered + '\n')
    return dropped
  }
}

async function install (dir) {
  const env = { ...process.env }
  // onnxruntime-node's install script would download CUDA libraries (fails offline); the CPU
  // binaries ship in its tarball. npm >= 11.x also skips it through package.json's allowScripts.
  env.ONNXRUNTIME_NODE_INSTALL ??= 'skip'
  const npm = process.env.npm_execpath
  const [cmd, args] = npm !== undefined && npm.endsWith('.js')
    ? [process.execPath, [npm, 'ci', '--no-audit', '--no-fund']]
    : [process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund']]
  const child = spawn(cmd, args, { cwd: dir, env, stdio: ['ignore', 'inherit', 'pipe'] })
  const finish = filterEngineWarnings(child.stderr, process.stderr)
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  const dropped = finish()
  if (dropped > 0) {
    process.stderr.write(`murmur: npm runs on Node ${process.version} here; murmur's scripts run on the Node 22 pinned in devDependencies, so npm's engine warnings are expected and not shown\n`)
  }
  return code
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const missing = missingPackages(root)
  if (missing.length > 0) {
    process.stderr.write(`murmur: installing dependencies from package-lock.json (${missing.length} packages missing, e.g. ${missing[0]})\n`)
    const code = await install(root)
    if (code !== 0) {
      process.stderr.write(`murmur: npm ci failed (exit ${code}); see the messages above\n`)
      process.exit(typeof code === 'number' ? code : 1)
    }
  }
}

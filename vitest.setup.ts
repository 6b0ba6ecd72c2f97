// Packages import each other through their built `dist/` entry points (the same files that
// `npm start` runs, and the only form worker threads can load), so make sure the build is
// current before any test runs. `tsc -b` is incremental: a no-op build takes about a second.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export default function setup (): void {
  const root = fileURLToPath(new URL('.', import.meta.url))
  execFileSync(process.execPath, [fileURLToPath(new URL('./node_modules/typescript/bin/tsc', import.meta.url)), '-b'], { cwd: root, stdio: 'inherit' })
}

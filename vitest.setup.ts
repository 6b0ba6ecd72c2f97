// Packages import each other through their built `dist/` entry points (the same files that
// `npm start` runs, and the only form worker threads can load), so make sure the build is
// current before any test runs. `tsc -b` is incremental: a no-op build takes about a second.
// MURMUR_TEST_BUILD=<tsconfig path> builds only that project (and its references), e.g. while
// working on one package; MURMUR_TEST_BUILD=none skips the build.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export default function setup (): void {
  const target = process.env.MURMUR_TEST_BUILD ?? '.'
  if (target === 'none') return
  const root = fileURLToPath(new URL('.', import.meta.url))
  const tsc = fileURLToPath(new URL('./node_modules/typescript/bin/tsc', import.meta.url))
  execFileSync(process.execPath, [tsc, '-b', target], { cwd: root, stdio: 'inherit' })
}

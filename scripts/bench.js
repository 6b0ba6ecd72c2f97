// `npm run bench` lists benchmarks; `npm run bench -- <name>` runs one. Benchmarks are compiled
// modules in benchmarks/dist/<name>.js whose default export is an async run() that prints
// JSON lines (CONVENTIONS.md). The env line is printed first, once.
import { benchmarks, reportEnv } from '../benchmarks/dist/index.js'

const name = process.argv[2]
const names = Object.keys(benchmarks).sort()
if (name === undefined || name === '--help' || name === '-h') {
  console.log('usage: npm run bench -- <name>\n\nbenchmarks:')
  if (names.length === 0) console.log('  (none yet)')
  for (const n of names) console.log(`  ${n.padEnd(12)} ${benchmarks[n]}`)
} else if (!names.includes(name)) {
  console.error(`unknown benchmark "${name}"; available: ${names.join(', ') || '(none yet)'}`)
  process.exitCode = 2
} else {
  reportEnv(name)
  const mod = await import(`../benchmarks/dist/${name}.js`)
  await mod.default(process.argv.slice(3))
}

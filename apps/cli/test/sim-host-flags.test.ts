/**
 * The V8 flags simulation.ts starts every sim-host process with: this Node's V8 must accept
 * them (an unknown or renamed flag makes the process exit before it hosts any node).
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { SIM_HOST_EXEC_ARGV } from '../src/simulation.js'

const run = promisify(execFile)

describe('SIM_HOST_EXEC_ARGV', () => {
  it('are accepted by this Node (a process started with them runs)', async () => {
    const { stdout } = await run(process.execPath, [...SIM_HOST_EXEC_ARGV, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'], { timeout: 20_000 })
    // execArgv also holds `-e <script>`, after the flags.
    expect((JSON.parse(stdout) as string[]).slice(0, SIM_HOST_EXEC_ARGV.length)).toEqual([...SIM_HOST_EXEC_ARGV])
  })
})

#!/usr/bin/env node
/**
 * The `murmur` command. Errors are caught here only: one clear line on stderr (the stack with
 * --verbose) and a non-zero exit code.
 */
import { MurmurError } from '@murmur/interface'
import { commands, helpText } from './commands/index.js'
import type { CommandContext } from './commands/context.js'

/** How long a finished command may take to let go of its last handles before the process exits anyway. */
const EXIT_GRACE_MS = 2000

const argv = process.argv.slice(2)
const verbose = argv.includes('--verbose') || argv.includes('-v')
const ctx: CommandContext = {
  out: line => { process.stdout.write(line + '\n') },
  err: line => { process.stderr.write(line + '\n') },
  errRaw: text => { process.stderr.write(text) },
  isTTY: process.stderr.isTTY,
  verbose
}

const [name, ...rest] = argv
try {
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(helpText())
  } else if (name === '--version') {
    ctx.out('murmur 0.1.0')
  } else {
    const command = commands[name]
    if (command === undefined) {
      ctx.err(`murmur: unknown command "${name}"\n`)
      ctx.out(helpText())
      process.exitCode = 2
    } else {
      await command.run(rest, ctx)
    }
  }
} catch (err) {
  const e = err as Error
  const code = err instanceof MurmurError ? ` [${err.code}]` : ''
  process.stderr.write(`murmur: ${e.message.split('\n')[0]}${code}\n`)
  if (verbose && e.stack !== undefined) process.stderr.write(e.stack + '\n')
  process.exitCode = err instanceof MurmurError && err.code === 'ERR_USAGE' ? 2 : 1
} finally {
  // The command is done. A handle that a failed library call left open (a worker thread, a
  // socket) must not keep the process alive: supervisors (systemd, Kubernetes) need the exit.
  setTimeout(() => {
    if (verbose) process.stderr.write(`murmur: exiting with handles still open: ${process.getActiveResourcesInfo().join(', ')}\n`)
    process.exit()
  }, EXIT_GRACE_MS).unref()
}

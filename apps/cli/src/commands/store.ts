/**
 * `murmur store repair|reset [DIR]`: the explicit recovery paths that the store's corruption
 * errors name. DIR is the store directory those errors print; `--data-dir` takes a node's data
 * directory instead (its store is `<data-dir>/store`).
 */
import { join, resolve } from 'node:path'
import { NODE_CONFIG_SCHEMA } from '@murmur/node'
import { repairStore, resetStore } from '@murmur/store'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  'data-dir': { type: 'string', doc: `a node's data directory (its store is <data-dir>/store; default ${NODE_CONFIG_SCHEMA.dataDir.default})` }
}
const USAGE = 'murmur store repair|reset [STORE_DIR | --data-dir DIR]'
const DESCRIPTION = [
  'Recovers a node\'s store (run it while the node is stopped).',
  '',
  'actions:',
  '  repair   LevelDB repair, then drops unreadable pool and metrics records and checkpoints whose',
  '           file is missing or fails its SHA-256; the node resumes from the newest good checkpoint',
  '  reset    deletes the store\'s database and checkpoints (irreversible; the identity key is kept)'
].join('\n')

/** Runs the `store` command. */
export async function storeCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, false, 2)
  const [action, dirArg] = args.positionals
  if (args.flags.help === true || action === undefined) {
    ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, false))
    if (action === undefined && args.flags.help !== true) process.exitCode = 2
    return
  }
  if (action !== 'repair' && action !== 'reset') throw new UsageError(`unknown store action "${action}"; choose repair or reset`)
  const dataDir = args.flags['data-dir']
  if (dirArg !== undefined && typeof dataDir === 'string') throw new UsageError('give either STORE_DIR or --data-dir, not both')
  const dir = resolve(dirArg ?? join(typeof dataDir === 'string' ? dataDir : NODE_CONFIG_SCHEMA.dataDir.default, 'store'))
  const json = args.flags.json === true
  if (action === 'repair') {
    const report = await repairStore(dir)
    if (json) {
      ctx.out(JSON.stringify({ action, dir, ...report }))
    } else {
      const dropped = report.droppedCheckpoints.length === 0 ? 'none' : `rounds ${report.droppedCheckpoints.join(', ')}`
      ctx.out(`repaired ${dir}: ${report.checkpoints} good checkpoints kept, damaged checkpoints dropped: ${dropped}, ` +
        `unreadable pool records dropped: ${report.droppedPoolEntries}, unreadable metrics records dropped: ${report.droppedMetrics}`)
    }
    return
  }
  await resetStore(dir)
  ctx.out(json ? JSON.stringify({ action, dir }) : `reset ${dir}: database and checkpoints deleted; the node starts from scratch (its identity is kept)`)
}

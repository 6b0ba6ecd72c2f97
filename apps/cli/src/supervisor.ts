/**
 * Supervision of `murmur node`: the command re-runs itself as a child process and restarts it
 * when it crashes, with exponential back-off (reset after a healthy stretch), saying each time
 * what happened. The child resumes from its last checkpoint with the same identity, and its
 * joiner re-bootstraps; a node that merely lost its peers re-bootstraps without a restart.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { sleep } from '@murmur/interface'

/** Options of `supervise`. */
export interface SuperviseInit {
  /** Script and arguments of the child (bin.js and its argv). */
  binPath: string
  args: string[]
  /** A line for the operator. */
  log: (line: string) => void
  /** First and largest restart delay, ms. Defaults 1 000 and 60 000. */
  backoffMs?: number
  maxBackoffMs?: number
  /** A run this long counts as healthy and resets the back-off, ms. Default 300 000. */
  healthyMs?: number
  /** Gives up after this many crashes in a row without a healthy run. Default 20. */
  maxCrashes?: number
  /** A first run that exits with an error this soon failed to start (bad config, bad file): not restarted, ms. Default 30 000. */
  startupMs?: number
  signal?: AbortSignal
}

/** How the supervised child ended for good. */
export interface SuperviseResult { code: number, restarts: number }

function describe (code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `was killed by ${signal}` : `exited with code ${String(code)}`
}

/** Runs the child until it exits 0, the signal fires, or it crash-loops past `maxCrashes`. */
export async function supervise (init: SuperviseInit): Promise<SuperviseResult> {
  const backoff0 = init.backoffMs ?? 1_000
  const backoffMax = init.maxBackoffMs ?? 60_000
  const healthyMs = init.healthyMs ?? 300_000
  const maxCrashes = init.maxCrashes ?? 20
  let backoff = backoff0
  let crashes = 0
  let restarts = 0
  const aborted = (): boolean => init.signal?.aborted === true
  for (;;) {
    const started = Date.now()
    const child: ChildProcess = fork(init.binPath, init.args, { stdio: 'inherit' })
    const forward = (): void => { child.kill('SIGTERM') }
    init.signal?.addEventListener('abort', forward, { once: true })
    const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => {
      child.once('exit', (c, s) => { resolve([c, s]) })
    })
    init.signal?.removeEventListener('abort', forward)
    // Stopped on request (SIGINT/SIGTERM forwarded to the child): a clean stop whatever the child's code.
    if (aborted()) return { code: 0, restarts }
    if (code === 0) return { code: 0, restarts }
    const ranMs = Date.now() - started
    if (restarts === 0 && sig === null && ranMs < (init.startupMs ?? 30_000)) {
      init.log(`supervisor: node ${describe(code, sig)} while starting; not restarting it (fix the error above)`)
      return { code: code ?? 1, restarts }
    }
    if (ranMs >= healthyMs) { backoff = backoff0; crashes = 0 }
    crashes++
    if (crashes > maxCrashes) {
      init.log(`supervisor: node ${describe(code, sig)}; ${maxCrashes} crashes in a row, giving up`)
      return { code: code ?? 1, restarts }
    }
    restarts++
    init.log(`supervisor: node ${describe(code, sig)} after ${Math.round(ranMs / 1000)} s; restarting in ${Math.round(backoff / 1000)} s (restart ${restarts}); it resumes from its last checkpoint and re-bootstraps`)
    await sleep(backoff, { signal: init.signal }).catch(() => {})
    if (aborted()) return { code: 0, restarts }
    backoff = Math.min(backoffMax, backoff * 2)
  }
}

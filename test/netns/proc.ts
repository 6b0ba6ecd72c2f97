/** A CLI process running inside a network namespace, with its output lines time-stamped on arrival. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

/** One output line and when it arrived (ms since the epoch). */
export interface Line { t: number, text: string, stream: 'out' | 'err' }

/** A running `murmur …` in a namespace. */
export class NsProcess {
  readonly lines: Line[] = []
  readonly startedAt = Date.now()
  private readonly child: ChildProcess
  private exited?: Promise<void>

  constructor (readonly name: string, ns: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env }
    })
    for (const [stream, src] of [['out', this.child.stdout], ['err', this.child.stderr]] as const) {
      if (src === null) continue
      createInterface({ input: src }).on('line', text => { this.lines.push({ t: Date.now(), text, stream }) })
    }
    this.exited = new Promise(resolve => { this.child.once('exit', () => { resolve() }) })
  }

  get alive (): boolean { return this.child.exitCode === null && this.child.signalCode === null }

  /** JSON objects printed on stdout (with --json), with arrival times. */
  json (): Array<{ t: number, v: Record<string, unknown> }> {
    const out: Array<{ t: number, v: Record<string, unknown> }> = []
    for (const l of this.lines) {
      if (l.stream !== 'out' || !l.text.startsWith('{')) continue
      try { out.push({ t: l.t, v: JSON.parse(l.text) as Record<string, unknown> }) } catch { /* not JSON */ }
    }
    return out
  }

  /** Sends `signal` and waits (at most `timeoutMs`) for the exit; SIGKILL after that. */
  async kill (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
    if (!this.alive) return
    this.child.kill(signal)
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, timeoutMs)
    await this.exited
    clearTimeout(timer)
  }

  /** The last lines, for failure messages. */
  tail (n = 15): string {
    return this.lines.slice(-n).map(l => `  [${this.name}] ${l.text.slice(0, 300)}`).join('\n')
  }
}

/** Polls `condition` every 100 ms; throws naming `what` after `timeoutMs`. */
export async function waitFor (condition: () => boolean, timeoutMs: number, what: string, explain: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${explain()}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

// A bounded queue in front of validation. gossipsub calls the topic validator for every message
// without waiting for the previous one, so a burst would otherwise pile up unbounded pending
// work. Jobs run in order, in slices of at most `sliceMs` between which the queue yields to the
// event loop so that network I/O keeps flowing (yielding after every job would add a full
// event-loop turn of latency per queued message under load); when `capacity` jobs are waiting,
// new ones are refused immediately.
import { setImmediate as yieldToLoop } from 'node:timers/promises'

/** Bounded FIFO of synchronous jobs run in time slices between event-loop turns. */
export class InboundQueue {
  private readonly jobs: Array<() => void> = []
  private running = false
  private closed = false

  constructor (private readonly capacity: number, private readonly sliceMs = 4) {}

  /** Number of jobs waiting. */
  get size (): number { return this.jobs.length }

  /** Runs `job` in turn; resolves `undefined` without running it when the queue is full or closed. */
  async run<T> (job: () => T): Promise<T | undefined> {
    if (this.closed || this.jobs.length >= this.capacity) return undefined
    return await new Promise<T | undefined>((resolve, reject) => {
      this.jobs.push(() => {
        if (this.closed) { resolve(undefined); return }
        try { resolve(job()) } catch (err) { reject(err) }
      })
      if (!this.running) void this.drain()
    })
  }

  /** Drops waiting jobs (they resolve `undefined`) and refuses new ones. */
  close (): void {
    this.closed = true
    for (const job of this.jobs.splice(0)) job()
  }

  private async drain (): Promise<void> {
    this.running = true
    try {
      while (this.jobs.length > 0) {
        await yieldToLoop()
        const until = performance.now() + this.sliceMs
        do {
          this.jobs.shift()?.()
        } while (this.jobs.length > 0 && performance.now() < until)
      }
    } finally {
      this.running = false
    }
  }
}

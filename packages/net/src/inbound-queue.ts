// A bounded queue in front of validation. gossipsub calls the topic validator for every message
// without waiting for the previous one, so a burst would otherwise pile up unbounded pending
// work. Jobs run one at a time, yielding to the event loop between jobs so that network I/O
// keeps flowing; when `capacity` jobs are waiting, new ones are refused immediately.
import { setImmediate as yieldToLoop } from 'node:timers/promises'

/** Bounded FIFO of synchronous jobs run one per event-loop turn. */
export class InboundQueue {
  private readonly jobs: Array<() => void> = []
  private running = false
  private closed = false

  constructor (private readonly capacity: number) {}

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
        this.jobs.shift()?.()
      }
    } finally {
      this.running = false
    }
  }
}

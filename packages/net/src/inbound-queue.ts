// A bounded, fair queue in front of validation. gossipsub calls the topic validator for every
// message without waiting for the previous one, so a burst would otherwise pile up unbounded
// pending work. Each neighbour (the connection that delivered the message) has its own FIFO with
// its own bound, and the queue serves neighbours round-robin, one job each per turn: a flooding
// neighbour fills and overflows only its own FIFO, and honest neighbours' jobs wait behind at
// most one of its jobs per turn. When the total reaches `capacity`, the newest job of the longest
// FIFO makes room (longest-queue drop), so many flooders together cannot starve a quiet one.
// Jobs run in slices of at most `sliceMs` between which the queue yields to the event loop so
// that network I/O keeps flowing.
import { setImmediate as yieldToLoop } from 'node:timers/promises'

/** Options of `InboundQueue`. */
export interface InboundQueueInit {
  /** Most jobs waiting in total. */
  capacity: number
  /** Most jobs waiting per key (neighbour). Default: `capacity`. */
  perKey?: number
  /** Longest run of jobs between event-loop turns, ms. Default 4. */
  sliceMs?: number
}

interface Job { run: () => void, drop: () => void }

/** Bounded per-key FIFOs of synchronous jobs, served round-robin in time slices. */
export class InboundQueue {
  private readonly fifos = new Map<string, Job[]>()
  private readonly ring: string[] = []
  private next = 0
  private total = 0
  private running = false
  private closed = false
  private readonly capacity: number
  private readonly perKey: number
  private readonly sliceMs: number

  constructor (init: InboundQueueInit) {
    this.capacity = init.capacity
    this.perKey = Math.min(init.perKey ?? init.capacity, init.capacity)
    this.sliceMs = init.sliceMs ?? 4
  }

  /** Number of jobs waiting. */
  get size (): number { return this.total }

  /** Number of jobs waiting for `key`. */
  sizeOf (key: string): number { return this.fifos.get(key)?.length ?? 0 }

  /** Runs `job` in `key`'s turn; resolves `undefined` without running it when refused, evicted or closed. */
  async run<T> (key: string, job: () => T): Promise<T | undefined> {
    if (this.closed || !this.makeRoom(key)) return undefined
    return await new Promise<T | undefined>((resolve, reject) => {
      let fifo = this.fifos.get(key)
      if (fifo === undefined) {
        fifo = []
        this.fifos.set(key, fifo)
        this.ring.push(key)
      }
      fifo.push({
        run: () => { try { resolve(job()) } catch (err) { reject(err) } },
        drop: () => { resolve(undefined) }
      })
      this.total++
      if (!this.running) void this.drain()
    })
  }

  /** Drops waiting jobs (they resolve `undefined`) and refuses new ones. */
  close (): void {
    this.closed = true
    const fifos = [...this.fifos.values()]
    this.fifos.clear()
    this.ring.length = 0
    this.total = 0
    for (const fifo of fifos) for (const job of fifo) job.drop()
  }

  /** True when a job for `key` may be queued, evicting another key's newest job if that is fair. */
  private makeRoom (key: string): boolean {
    const own = this.sizeOf(key)
    if (own >= this.perKey) return false
    if (this.total < this.capacity) return true
    let longest: Job[] | undefined
    for (const fifo of this.fifos.values()) if (longest === undefined || fifo.length > longest.length) longest = fifo
    if (longest === undefined || longest.length <= own + 1) return false
    this.total--
    longest.pop()?.drop()
    return true
  }

  /** The next job in round-robin order, removing keys whose FIFO ran empty. */
  private take (): Job | undefined {
    while (this.ring.length > 0) {
      if (this.next >= this.ring.length) this.next = 0
      const key = this.ring[this.next]
      const fifo = this.fifos.get(key)
      const job = fifo?.shift()
      if (fifo === undefined || fifo.length === 0) {
        this.fifos.delete(key)
        this.ring.splice(this.next, 1)
      } else {
        this.next++
      }
      if (job !== undefined) {
        this.total--
        return job
      }
    }
    return undefined
  }

  private async drain (): Promise<void> {
    this.running = true
    try {
      while (this.total > 0) {
        await yieldToLoop()
        const until = performance.now() + this.sliceMs
        do {
          this.take()?.run()
        } while (this.total > 0 && performance.now() < until)
      }
    } finally {
      this.running = false
    }
  }
}

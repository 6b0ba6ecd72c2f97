// A bounded, fair queue in front of validation. gossipsub calls the topic validator for every
// message without waiting for the previous one, so a burst would otherwise pile up unbounded
// pending work. Each neighbour (the connection that delivered the message) has its own FIFO with
// its own bound, and the queue serves neighbours round-robin, one job each per turn: a flooding
// neighbour fills and overflows only its own FIFO, and honest neighbours' jobs wait behind at
// most one of its jobs per turn. When the total reaches `capacity`, the newest jobs of the longest
// FIFO make room (longest-queue drop), so many flooders together cannot starve a quiet one.
// Bounds count work, not jobs: a job weighs what it will validate (a message: its groups, so a
// batch of 16 takes 16 of a neighbour's slots), at most a whole FIFO's bound.
// Jobs run in slices of at most `sliceMs` between which the queue yields to the event loop so
// that network I/O keeps flowing.
import { setImmediate as yieldToLoop } from 'node:timers/promises'

/** Options of `InboundQueue`. */
export interface InboundQueueInit {
  /** Most weight waiting in total. */
  capacity: number
  /** Most weight waiting per key (neighbour). Default: `capacity`. */
  perKey?: number
  /** Longest run of jobs between event-loop turns, ms. Default 4. */
  sliceMs?: number
}

interface Job { run: () => void, drop: () => void, weight: number }
interface Fifo { jobs: Job[], weight: number }

/** Bounded per-key FIFOs of weighted synchronous jobs, served round-robin in time slices. */
export class InboundQueue {
  private readonly fifos = new Map<string, Fifo>()
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

  /** Weight waiting. */
  get size (): number { return this.total }

  /** Weight waiting for `key`. */
  sizeOf (key: string): number { return this.fifos.get(key)?.weight ?? 0 }

  /**
   * Runs `job` in `key`'s turn; resolves `undefined` without running it when refused, evicted or
   * closed. `weight` is what it takes of the bounds (rounded up to at least 1, counted at most
   * `perKey` so that one job always fits an empty FIFO).
   */
  async run<T> (key: string, weight: number, job: () => T): Promise<T | undefined> {
    const w = Math.min(this.perKey, Math.max(1, Math.ceil(weight)))
    if (this.closed || !this.makeRoom(key, w)) return undefined
    return await new Promise<T | undefined>((resolve, reject) => {
      let fifo = this.fifos.get(key)
      if (fifo === undefined) {
        fifo = { jobs: [], weight: 0 }
        this.fifos.set(key, fifo)
        this.ring.push(key)
      }
      fifo.jobs.push({
        run: () => { try { resolve(job()) } catch (err) { reject(err) } },
        drop: () => { resolve(undefined) },
        weight: w
      })
      fifo.weight += w
      this.total += w
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
    for (const fifo of fifos) for (const job of fifo.jobs) job.drop()
  }

  /** True when a job of `weight` for `key` may be queued, evicting the newest jobs of longer FIFOs if that is fair. */
  private makeRoom (key: string, weight: number): boolean {
    const own = this.sizeOf(key)
    if (own + weight > this.perKey) return false
    // Plan the evictions first: refusing half-way must not have dropped anything.
    const left = new Map<Fifo, { weight: number, jobs: number }>()
    const evict: Array<[Fifo, Job]> = []
    let total = this.total
    while (total + weight > this.capacity) {
      let longest: Fifo | undefined
      let longestWeight = 0
      for (const fifo of this.fifos.values()) {
        const w = left.get(fifo)?.weight ?? fifo.weight
        if (longest === undefined || w > longestWeight) { longest = fifo; longestWeight = w }
      }
      // Fair only against a FIFO that would still be longer than ours with this job in it.
      if (longest === undefined || longestWeight <= own + weight) return false
      const state = left.get(longest) ?? { weight: longest.weight, jobs: longest.jobs.length }
      const job = longest.jobs[state.jobs - 1]
      left.set(longest, { weight: state.weight - job.weight, jobs: state.jobs - 1 })
      evict.push([longest, job])
      total -= job.weight
    }
    for (const [fifo, job] of evict) {
      fifo.jobs.pop()
      fifo.weight -= job.weight
      this.total -= job.weight
      job.drop()
    }
    return true
  }

  /** The next job in round-robin order, removing keys whose FIFO ran empty. */
  private take (): Job | undefined {
    while (this.ring.length > 0) {
      if (this.next >= this.ring.length) this.next = 0
      const key = this.ring[this.next]
      const fifo = this.fifos.get(key)
      const job = fifo?.jobs.shift()
      if (job !== undefined && fifo !== undefined) fifo.weight -= job.weight
      if (fifo === undefined || fifo.jobs.length === 0) {
        this.fifos.delete(key)
        this.ring.splice(this.next, 1)
      } else {
        this.next++
      }
      if (job !== undefined) {
        this.total -= job.weight
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

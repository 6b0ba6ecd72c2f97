// /proc sampling shared by the benchmarks that run murmur as child processes: RSS and CPU
// time per process, children of a process.
import { execFileSync } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'

const MIB = 1024

/** One /proc sample of a process. */
export interface ProcSample { t: number, rssKiB: number, hwmKiB: number, cpuTicks: number }

/** Clock ticks per second of /proc CPU times. */
export function clockTicksPerSecond (): number {
  try {
    const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    return Number.isFinite(v) && v > 0 ? v : 100
  } catch {
    return 100
  }
}

export async function readProc (pid: number, t: number): Promise<ProcSample | undefined> {
  try {
    const [status, stat] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')])
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN)
    // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const sample = { t, rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM'), cpuTicks: Number(fields[11]) + Number(fields[12]) }
    // A zombie (exited, not yet reaped) has no memory lines: not a sample.
    return Number.isFinite(sample.rssKiB) && Number.isFinite(sample.hwmKiB) && Number.isFinite(sample.cpuTicks) ? sample : undefined
  } catch {
    return undefined // the process exited between listing and reading
  }
}

/** Children of `pid` (all its threads), from /proc/<pid>/task/<tid>/children. */
export async function childPids (pid: number): Promise<number[]> {
  const out: number[] = []
  try {
    for (const tid of await readdir(`/proc/${pid}/task`)) {
      const text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')
      for (const c of text.trim().split(/\s+/)) if (c !== '') out.push(Number(c))
    }
  } catch {
    // the process exited
  }
  return out
}

/**
 * Samples /proc every `sampleMs` for the processes `list()` names, keyed (node index, or 0 for a
 * lone node); a restarted node's new process is another pid under the same key.
 */
export class ProcMonitor {
  readonly samples = new Map<number, ProcSample[]>() // by pid
  readonly keyOf = new Map<number, number>() // pid → key
  private readonly timer: NodeJS.Timeout
  private busy = false

  constructor (private readonly started: number, sampleMs: number, private readonly list: () => Promise<Array<{ pid: number, key: number }>>) {
    this.timer = setInterval(() => { void this.sample() }, sampleMs)
  }

  private async sample (): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      const t = performance.now() - this.started
      for (const { pid, key } of await this.list()) {
        const s = await readProc(pid, t)
        if (s === undefined) continue
        this.keyOf.set(pid, key)
        const arr = this.samples.get(pid) ?? []
        arr.push(s)
        this.samples.set(pid, arr)
      }
    } finally {
      this.busy = false
    }
  }

  stop (): void { clearInterval(this.timer) }

  /** Peak RSS (MiB) per key: the largest VmHWM/VmRSS seen over all its processes. */
  peakMiB (): Map<number, number> {
    const out = new Map<number, number>()
    for (const [pid, arr] of this.samples) {
      const key = this.keyOf.get(pid) ?? -1
      const peak = Math.max(...arr.map(s => Math.max(s.hwmKiB, s.rssKiB))) / MIB
      out.set(key, Math.max(out.get(key) ?? 0, peak))
    }
    return out
  }

  /** CPU seconds all monitored processes used between times a and b (ms), from the samples nearest them. */
  cpuSeconds (a: number, b: number, ticksPerSecond: number): number {
    let ticks = 0
    for (const arr of this.samples.values()) {
      const at = (t: number): number => {
        let v = 0
        for (const s of arr) if (s.t <= t) v = s.cpuTicks
        return v
      }
      ticks += at(b) - at(a)
    }
    return ticks / ticksPerSecond
  }
}


/**
 * A progress bar for long work. On a terminal it redraws one line; elsewhere (CI, pipes) it
 * prints a plain line at most every few seconds so logs stay readable. Writes to stderr so
 * `--json` output on stdout stays clean.
 */
export interface ProgressInit {
  label: string
  total: number
  stream?: NodeJS.WriteStream
  /** Minimum milliseconds between non-terminal lines. */
  intervalMs?: number
}

/** A progress bar: `update(done, note?)`, then `done()`. */
export interface Progress {
  update(done: number, note?: string): void
  done(note?: string): void
}

/** Creates a progress bar on stderr. */
export function progressBar (init: ProgressInit): Progress {
  const stream = init.stream ?? process.stderr
  const tty = stream.isTTY
  const interval = init.intervalMs ?? 5000
  const started = Date.now()
  let last = 0
  const render = (done: number, note: string): string => {
    const frac = init.total > 0 ? Math.min(1, done / init.total) : 0
    const width = 24
    const filled = Math.round(frac * width)
    const elapsed = (Date.now() - started) / 1000
    const eta = frac > 0 ? elapsed * (1 - frac) / frac : Number.NaN
    const time = Number.isFinite(eta) ? ` ${fmtTime(elapsed)} elapsed, ${fmtTime(eta)} left` : ''
    return `${init.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${init.total}${time}${note === '' ? '' : ' · ' + note}`
  }
  return {
    update (done, note = '') {
      const now = Date.now()
      if (tty) {
        stream.write('\r\x1b[2K' + render(done, note))
      } else if (now - last >= interval) {
        last = now
        stream.write(render(done, note) + '\n')
      }
    },
    done (note = '') {
      stream.write((tty ? '\r\x1b[2K' : '') + render(init.total, note) + '\n')
    }
  }
}

function fmtTime (seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)}s`
  const m = Math.floor(seconds / 60)
  return `${m}m${Math.round(seconds - 60 * m).toString().padStart(2, '0')}s`
}

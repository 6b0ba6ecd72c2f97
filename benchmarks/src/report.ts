/**
 * Benchmark reporting in the JSON-lines format of CONVENTIONS.md. `ratio` is always "how many
 * times better murmur is than the peer", whichever direction `better` says.
 */
import { cpus, totalmem } from 'node:os'
import { createRequire } from 'node:module'

/** One measurement line. */
export interface Measurement {
  bench: string
  case: string
  metric: string
  value: number
  unit: string
  better: 'higher' | 'lower'
  peer?: string
  peer_value?: number
  /** Extra context (shapes, settings); printed after the standard fields. */
  [extra: string]: unknown
}

/** Prints one measurement, computing `ratio` when a peer value is present. */
export function report (m: Measurement): void {
  const line: Record<string, unknown> = { ...m }
  if (m.peer !== undefined && m.peer_value !== undefined) {
    const ratio = m.better === 'higher' ? m.value / m.peer_value : m.peer_value / m.value
    line.ratio = round(ratio, 3)
  }
  line.value = round(m.value, 4)
  if (m.peer_value !== undefined) line.peer_value = round(m.peer_value, 4)
  process.stdout.write(JSON.stringify(line) + '\n')
}

/** Prints the `{"bench":"env",…}` line: machine, Node and onnxruntime versions. */
export function reportEnv (bench: string): void {
  const require = createRequire(import.meta.url)
  let onnxruntime = 'not installed'
  try {
    onnxruntime = (require('onnxruntime-node/package.json') as { version: string }).version
  } catch {
    // onnxruntime-node is optional for benchmarks that do not use it
  }
  process.stdout.write(JSON.stringify({
    bench: 'env',
    for: bench,
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    mem_gib: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    onnxruntime
  }) + '\n')
}

/** Median of a non-empty list. */
export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Quantile q ∈ [0,1] by nearest rank. */
export function quantile (values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[idx]
}

/** Two-sided 95 % critical values of Student's t for 1…30 degrees of freedom. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042]

/** Mean, standard error and 95 % confidence interval (Student's t) of a sample of ≥ 2 values, e.g. per-pair differences. */
export function meanWithError (values: number[]): { mean: number, se: number, ci95: [number, number] } {
  const n = values.length
  const mean = values.reduce((a, b) => a + b, 0) / n
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1))
  const se = sd / Math.sqrt(n)
  const t = n - 1 <= T95.length ? T95[n - 2] : 1.96
  return { mean, se, ci95: [mean - t * se, mean + t * se] }
}

function round (x: number, digits: number): number {
  if (!Number.isFinite(x)) return x
  const p = 10 ** digits
  return Math.round(x * p) / p
}

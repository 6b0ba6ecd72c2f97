/**
 * @packageDocumentation
 * The benchmark registry. Each entry is a module under `src/` with a default export
 * `run(): Promise<void>` that prints JSON lines through `report()`.
 */
export { report, reportEnv, median, quantile, type Measurement } from './report.js'

/** Benchmarks by name, with a one-line description. Add a line here when adding a benchmark. */
export const benchmarks: Record<string, string> = {
  graph: 'train-step time (fwd+bwd+AdamW in onnxruntime) of an MLP and a tiny GPT; build and session-create times; plain-TS MLP peer',
  generate: 'batched sampling tokens/s of the tiny policy vs transformers.js generate(); FLOP/s vs MatMul peak'
}

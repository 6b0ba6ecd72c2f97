/**
 * @packageDocumentation
 * The benchmark registry. Each entry is a module under `src/` with a default export
 * `run(): Promise<void>` that prints JSON lines through `report()`.
 */
export { report, reportEnv, median, quantile, type Measurement } from './report.js'

/** Benchmarks by name, with a one-line description. Add a line here when adding a benchmark. */
export const benchmarks: Record<string, string> = {
  gossip: '16 hosts in 2 processes on loopback gossiping ~4 KiB rollout groups at 50/s: delivery, p50/p99 latency, throughput, wire amplification vs mesh degree',
  graph: 'train-step time (fwd+bwd+AdamW in onnxruntime) of an MLP and a tiny GPT; build and session-create times; plain-TS MLP peer',
  train: 'policy-gradient train step (fwd+bwd+AdamW graph) of the tiny policy at 64×32 vs PyTorch; Trainer round; peak RSS',
  sim: '`murmur sim` swarms of N = 4, 8, 16 node processes on loopback: rounds/min per node and for the swarm vs the ideal CPU share of a lone node, peak RSS per node, start-up time',
  receive: 'CPU time per received peer group on the receiving node (validate, pool insert, record, share of peer sampling and re-scoring; gossip delivery excluded) vs the pre-issue-18 path',
  dashboard: 'cold load time of the `murmur sim --dashboard` page in headless Chromium (Navigation Timing) and its asset bytes, vs the same bytes from a plain static server',
  observe: 'what serving /metrics (scraped every --scrape-ms) and the dashboard (one open event stream) costs: two same-seed swarms in two processes taking turns round by round, CPU per node-round with vs without (mean per-block difference ± standard error); whole `murmur sim` runs with vs without',
  generate: 'batched sampling tokens/s of the tiny policy vs transformers.js generate(); FLOP/s vs MatMul peak',
  'generate-hf': 'greedy batched decoding of a ~24M-parameter Qwen2-shaped Hugging Face folder vs transformers.js generate() on the same folder; FLOP/s vs MatMul peak (--device auto|cpu|cuda|webgpu)',
  'train-hf': 'SFT train step of a ~24M-parameter Qwen2-shaped folder, full fine-tuning and LoRA, vs the same step in PyTorch; trainable state per step'
}

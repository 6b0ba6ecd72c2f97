/**
 * `npm run bench -- graph [--steps N] [--threads N]`: one fwd+bwd+AdamW train step built by
 * @murmur/graph and run by onnxruntime-node, for an MLP and a tiny GPT (transformer blocks).
 * Graph build time and session creation are reported separately from `step_ms`. The MLP case
 * has a peer: the same step written in plain TypeScript (loops, float32 storage), interleaved;
 * its first-step loss is checked against the graph's.
 */
import { adamw, appendUpdate, createSession, graphBuilder, NEXT_SUFFIX, scalar, stateName, tensor, type GraphBuilder, type Tensor, type Value } from '@murmur/graph'
import { median, report } from './report.js'

function arg (args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}

/** Deterministic uniform values in [-scale, scale). */
function uniform (n: number, seed: number, scale: number): Float32Array {
  let a = seed >>> 0
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0
    return (a / 2 ** 32 * 2 - 1) * scale
  })
}

const MLP = { batch: 64, sizes: [128, 256, 256, 10] }

function mlpForward (b: GraphBuilder): { loss: Value } {
  const { batch, sizes } = MLP
  const x = b.input('x', 'float32', [batch, sizes[0]])
  const y = b.input('y', 'int64', [batch])
  let h = x
  for (let i = 0; i + 1 < sizes.length; i++) {
    h = b.scope(`fc${i}`, () => b.linear(h, b.param('weight', tensor('float32', [sizes[i], sizes[i + 1]], uniform(sizes[i] * sizes[i + 1], i + 1, 1 / Math.sqrt(sizes[i])))), b.param('bias', tensor('float32', [sizes[i + 1]]))))
    if (i + 2 < sizes.length) h = b.tanh(h)
  }
  return { loss: b.reduceMean(b.crossEntropy(h, y)) }
}

const GPT = { vocab: 64, d: 128, heads: 4, layers: 2, seq: 64, batch: 16 }

function gptForward (b: GraphBuilder): { loss: Value } {
  const { vocab, d, heads, layers, seq, batch } = GPT
  const hd = d / heads
  let seed = 100
  const w = (dims: number[], scale = 0.02): Tensor => tensor('float32', dims, uniform(dims.reduce((p, q) => p * q, 1), seed++, scale))
  const ones = tensor('float32', [d], new Float32Array(d).fill(1))
  const t = b.input('tokens', 'int64', [batch, seq])
  const targets = b.input('targets', 'int64', [batch, seq])
  const wte = b.param('wte.weight', w([vocab, d]))
  let h = b.add(b.gather(wte, t), b.param('wpe.weight', w([seq, d])))
  const mask = b.constant(tensor('float32', [seq, seq], Float32Array.from({ length: seq * seq }, (_, i) => (i % seq) > Math.floor(i / seq) ? -1e9 : 0)), 'causal_mask')
  for (let l = 0; l < layers; l++) {
    h = b.scope(`block.${l}`, () => {
      const x1 = b.scope('ln_1', () => b.layerNorm(h, b.param('weight', ones), b.param('bias', tensor('float32', [d]))))
      const att = b.scope('attn', () => {
        const qkv = b.linear(x1, b.param('c_attn.weight', w([d, 3 * d])), b.param('c_attn.bias', tensor('float32', [3 * d])))
        const [q, k, v] = b.split(qkv, -1, 3).map(z => b.transpose(b.reshape(z, [0, 0, heads, hd]), [0, 2, 1, 3]))
        const att = b.softmax(b.add(b.mul(b.matmul(q, b.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(hd)), mask))
        const merged = b.reshape(b.transpose(b.matmul(att, v), [0, 2, 1, 3]), [0, 0, d])
        return b.linear(merged, b.param('c_proj.weight', w([d, d])), b.param('c_proj.bias', tensor('float32', [d])))
      })
      const h2 = b.add(h, att)
      const x2 = b.scope('ln_2', () => b.layerNorm(h2, b.param('weight', ones), b.param('bias', tensor('float32', [d]))))
      const mlp = b.scope('mlp', () => b.linear(b.gelu(b.linear(x2, b.param('c_fc.weight', w([d, 4 * d])), b.param('c_fc.bias', tensor('float32', [4 * d])))), b.param('c_proj.weight', w([4 * d, d])), b.param('c_proj.bias', tensor('float32', [d]))))
      return b.add(h2, mlp)
    })
  }
  const hf = b.scope('ln_f', () => b.layerNorm(h, b.param('weight', ones), b.param('bias', tensor('float32', [d]))))
  return { loss: b.reduceMean(b.crossEntropy(b.matmul(hf, b.transpose(wte, [1, 0])), targets)) }
}

/** The MLP step in plain TypeScript: tanh MLP, mean cross-entropy, PyTorch AdamW (wd 0). */
function tsMlpStep (): { step: (x: Float32Array, y: BigInt64Array, lr: number) => number } {
  const { batch: B, sizes } = MLP
  const L = sizes.length - 1
  const W = sizes.slice(0, -1).map((n, i) => uniform(n * sizes[i + 1], i + 1, 1 / Math.sqrt(n)))
  const bias = sizes.slice(1).map(n => new Float32Array(n))
  const params = [...W, ...bias]
  const m = params.map(p => new Float32Array(p.length))
  const v = params.map(p => new Float32Array(p.length))
  let t = 0
  return {
    step (x, y, lr) {
      const acts: Float32Array[] = [x]
      for (let l = 0; l < L; l++) {
        const [n, k] = [sizes[l], sizes[l + 1]]
        const a = acts[l]
        const z = new Float32Array(B * k)
        for (let r = 0; r < B; r++) {
          for (let j = 0; j < k; j++) z[r * k + j] = bias[l][j]
          for (let i = 0; i < n; i++) {
            const av = a[r * n + i]
            for (let j = 0; j < k; j++) z[r * k + j] += av * W[l][i * k + j]
          }
        }
        if (l + 1 < L) for (let i = 0; i < z.length; i++) z[i] = Math.tanh(z[i])
        acts.push(z)
      }
      const C = sizes[L]
      const logits = acts[L]
      let g = new Float32Array(B * C)
      let loss = 0
      for (let r = 0; r < B; r++) {
        let mx = -Infinity
        for (let j = 0; j < C; j++) mx = Math.max(mx, logits[r * C + j])
        let s = 0
        for (let j = 0; j < C; j++) s += Math.exp(logits[r * C + j] - mx)
        const target = Number(y[r])
        loss += -(logits[r * C + target] - mx - Math.log(s))
        for (let j = 0; j < C; j++) g[r * C + j] = (Math.exp(logits[r * C + j] - mx) / s - (j === target ? 1 : 0)) / B
      }
      const grads = params.map(p => new Float32Array(p.length))
      for (let l = L - 1; l >= 0; l--) {
        const [n, k] = [sizes[l], sizes[l + 1]]
        const a = acts[l]
        const gW = grads[l]
        const gb = grads[L + l]
        const ga = new Float32Array(B * n)
        for (let r = 0; r < B; r++) {
          for (let j = 0; j < k; j++) gb[j] += g[r * k + j]
          for (let i = 0; i < n; i++) {
            const av = a[r * n + i]
            let acc = 0
            for (let j = 0; j < k; j++) { gW[i * k + j] += av * g[r * k + j]; acc += W[l][i * k + j] * g[r * k + j] }
            ga[r * n + i] = l > 0 ? acc * (1 - av * av) : acc
          }
        }
        g = ga
      }
      t++
      const bc1 = 1 - 0.9 ** t
      const bc2 = 1 - 0.999 ** t
      params.forEach((p, pi) => {
        for (let i = 0; i < p.length; i++) {
          const gi = grads[pi][i]
          m[pi][i] = 0.9 * m[pi][i] + 0.1 * gi
          v[pi][i] = 0.999 * v[pi][i] + 0.001 * gi * gi
          p[i] -= lr / bc1 * m[pi][i] / (Math.sqrt(v[pi][i]) / Math.sqrt(bc2) + 1e-8)
        }
      })
      return loss / B
    }
  }
}

async function runCase (name: string, forward: (b: GraphBuilder) => { loss: Value }, batch: Record<string, Tensor>, steps: number, threads: number, peer?: (i: number) => number): Promise<void> {
  const t0 = performance.now()
  const b = graphBuilder({ paramsAs: 'input' })
  const loss = b.output('loss', forward(b).loss)
  const params = b.params()
  const stateNames = appendUpdate(b, loss, params.map(p => p.value), { optimizer: adamw({ weightDecay: 0 }) })
  const model = b.toModelProto()
  const buildMs = performance.now() - t0
  const t1 = performance.now()
  const session = await createSession(model, { intraOpThreads: threads })
  const createMs = performance.now() - t1
  const nParams = params.reduce((s, p) => s + p.init.data.length, 0)
  const ctx = { threads, params: nParams, model_bytes: model.length }
  report({ bench: 'graph', case: name, metric: 'build_ms', value: buildMs, unit: 'ms', better: 'lower', ...ctx })
  report({ bench: 'graph', case: name, metric: 'session_create_ms', value: createMs, unit: 'ms', better: 'lower', ...ctx })
  // Parameters from their initial values, zero AdamW moments, step 1; then each step's `.next` outputs.
  let state: Record<string, Tensor> = { step: scalar('int64', 1n) }
  for (const p of params) {
    state[p.value.name] = p.init
    for (const slot of ['m', 'v']) state[stateName(slot, p.value.name)] = tensor('float32', p.init.dims)
  }
  const times: number[] = []
  const peerTimes: number[] = []
  let firstLoss = NaN
  let peerFirst = NaN
  for (let i = 0; i < steps + 3; i++) {
    const s = performance.now()
    const out = await session.run({ ...state, ...batch, lr: scalar('float32', 1e-3) })
    const e = performance.now() - s
    state = Object.fromEntries(stateNames.map(n => [n, out[n + NEXT_SUFFIX]]))
    if (i === 0) firstLoss = Number(out.loss.data[0])
    if (i >= 3) times.push(e)
    if (peer !== undefined) {
      const ps = performance.now()
      const l = peer(i)
      if (i === 0) peerFirst = l
      if (i >= 3) peerTimes.push(performance.now() - ps)
    }
  }
  await session.close()
  const peerFields = peer === undefined ? {} : { peer: 'plain-ts', peer_value: median(peerTimes), first_loss_diff: Math.abs(firstLoss - peerFirst) }
  report({ bench: 'graph', case: name, metric: 'step_ms', value: median(times), unit: 'ms', better: 'lower', ...peerFields, ...ctx })
}

/** Runs the graph benchmark. */
export default async function run (args: string[]): Promise<void> {
  const steps = arg(args, 'steps', 20)
  const threads = arg(args, 'threads', 2)
  const { batch, sizes } = MLP
  const x = uniform(batch * sizes[0], 7, 1)
  const y = BigInt64Array.from({ length: batch }, (_, i) => BigInt((i * 7) % sizes[sizes.length - 1]))
  const ts = tsMlpStep()
  await runCase('mlp_64x128-256-256-10', mlpForward, { x: tensor('float32', [batch, sizes[0]], x.slice()), y: tensor('int64', [batch], y) }, steps, threads, () => ts.step(x, y, 1e-3))
  const n = GPT.batch * GPT.seq
  const tokens = BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 31 + 7) % GPT.vocab))
  const targets = BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 17 + 3) % GPT.vocab))
  await runCase(`gpt_d${GPT.d}_l${GPT.layers}_B${GPT.batch}xT${GPT.seq}`, gptForward, { tokens: tensor('int64', [GPT.batch, GPT.seq], tokens), targets: tensor('int64', [GPT.batch, GPT.seq], targets) }, steps, threads)
}

import { describe, it, expect } from 'vitest'
import { graphBuilder, type GraphBuilder } from '../src/builder.js'
import { tensor, type Tensor } from '../src/tensor.js'
import { createSession } from '../src/session.js'
import { DTypeMismatchError, InvalidGraphError, ShapeMismatchError } from '../src/errors.js'
import { rng } from './helpers.js'
import { MAX_NODE_PARTS } from '../src/constants.js'

function mlp (seed: number): { b: GraphBuilder, w1: Tensor<'float32'>, w2: Tensor<'float32'> } {
  const r = rng(seed)
  const w1 = tensor('float32', [4, 8], Array.from({ length: 32 }, () => r() - 0.5))
  const w2 = tensor('float32', [8, 3], Array.from({ length: 24 }, () => r() - 0.5))
  const b = graphBuilder({ name: 'mlp' })
  const x = b.input('x', 'float32', ['batch_size', 4])
  const h = b.scope('fc1', () => b.relu(b.matmul(x, b.param('weight', w1))))
  const y = b.scope('fc2', () => b.softmax(b.matmul(h, b.param('weight', w2))))
  b.output('probs', y)
  return { b, w1, w2 }
}

function mlpReference (x: number[][], w1: Tensor<'float32'>, w2: Tensor<'float32'>): number[][] {
  return x.map(row => {
    const h = Array.from({ length: 8 }, (_, j) => Math.max(0, row.reduce((s, v, i) => s + v * w1.data[i * 8 + j], 0)))
    const z = Array.from({ length: 3 }, (_, k) => h.reduce((s, v, j) => s + v * w2.data[j * 3 + k], 0))
    const m = Math.max(...z)
    const e = z.map(v => Math.exp(v - m))
    const sum = e.reduce((a, v) => a + v, 0)
    return e.map(v => v / sum)
  })
}

describe('graph builder', () => {
  it('serializes an MLP that onnxruntime runs like a plain-TS forward, for any batch size', async () => {
    const { b, w1, w2 } = mlp(1)
    const session = await createSession(b.toModelProto())
    for (const batch of [1, 5]) {
      const r = rng(batch)
      const x = Array.from({ length: batch }, () => Array.from({ length: 4 }, () => r() * 2 - 1))
      const out = await session.run({ x: tensor('float32', [batch, 4], x.flat()) })
      expect(out.probs.dims).toEqual([batch, 3])
      const ref = mlpReference(x, w1, w2).flat()
      ref.forEach((v, i) => expect(out.probs.data[i]).toBeCloseTo(v, 6))
    }
    await session.close()
  })

  it('emits wide Concat and Split as trees of nodes with at most MAX_NODE_PARTS parts, with the same values', async () => {
    const b = graphBuilder({ name: 'wide' })
    const x = b.input('x', 'float32', [2, 'n'])
    const sizes = Array.from({ length: 23 }, (_, i) => 1 + (i % 3))
    const parts = b.split(b.concat(Array.from({ length: 23 }, (_, i) => b.slice(b.mul(x, i + 1), [0], [sizes[i]], [1])), 1), 1, sizes)
    expect(parts.map(p => p.shape)).toEqual(sizes.map(s => [2, s]))
    parts.forEach((p, i) => b.output(`p${i}`, p))
    const nodes = b.nodeList.filter(n => n.opType === 'Concat' || n.opType === 'Split')
    expect(nodes.some(n => n.opType === 'Concat') && nodes.some(n => n.opType === 'Split')).toBe(true)
    for (const n of nodes) expect(n.opType === 'Concat' ? n.inputs.length : n.outputs.length).toBeLessThanOrEqual(MAX_NODE_PARTS)
    const session = await createSession(b.toModelProto())
    const xs = [1, 2, 3, 4, 5, 6]
    const out = await session.run({ x: tensor('float32', [2, 3], xs) })
    sizes.forEach((s, i) => {
      const ref = [0, 1].flatMap(r => xs.slice(r * 3, r * 3 + s).map(v => v * (i + 1)))
      expect(Array.from(out[`p${i}`].data as Float32Array)).toEqual(ref)
    })
    await session.close()
  })

  it('builds byte-identical models twice and names nodes after module paths', () => {
    const a = mlp(7).b.toModelProto()
    const c = mlp(7).b.toModelProto()
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(true)
    expect(Buffer.from(mlp(8).b.toModelProto()).equals(Buffer.from(a))).toBe(false)
    const text = Buffer.from(a).toString('latin1')
    expect(text).toContain('fc1/MatMul')
    expect(text).toContain('fc2.weight')
  })

  it('rejects a MatMul inner-dim mismatch at build time, naming op, path and shapes', () => {
    const b = graphBuilder()
    const x = b.input('x', 'float32', ['batch_size', 4])
    const w = b.constant(tensor('float32', [5, 2]))
    let err: unknown
    try { b.scope('block.0', () => b.scope('attn', () => b.matmul(x, w))) } catch (e) { err = e }
    expect(err).toBeInstanceOf(ShapeMismatchError)
    const e = err as ShapeMismatchError
    expect(e.code).toBe('ERR_SHAPE_MISMATCH')
    expect(e.op).toBe('MatMul')
    expect(e.path).toBe('block.0.attn')
    expect(e.message).toContain('[batch_size, 4]')
  })

  it('rejects incompatible broadcasts, reshapes, concats, squeezes and dtypes', () => {
    const b = graphBuilder()
    const x = b.input('x', 'float32', ['batch_size', 'sequence_length', 6])
    const y = b.input('y', 'float32', ['batch_size', 'past_sequence_length', 6])
    const i = b.input('i', 'int64', [3])
    expect(() => b.add(x, b.constant(tensor('float32', [4])))).toThrow(ShapeMismatchError)
    expect(() => b.add(x, y)).toThrow(ShapeMismatchError)
    expect(() => b.reshape(x, [0, 0, 4])).toThrow(ShapeMismatchError)
    expect(() => b.concat([x, b.constant(tensor('float32', [1, 1, 5]))], 1)).toThrow(ShapeMismatchError)
    expect(() => b.squeeze(x, [2])).toThrow(ShapeMismatchError)
    expect(() => b.add(x, i)).toThrow(DTypeMismatchError)
    expect(() => b.gather(x, b.constant(tensor('float32', [2])))).toThrow(DTypeMismatchError)
    expect(() => b.transpose(x, [0, 0, 1])).toThrow(ShapeMismatchError)
    expect(() => b.reshape(x, i)).toThrow(ShapeMismatchError)
    expect(() => b.input('x', 'float32', [1])).toThrow(InvalidGraphError)
    expect(() => b.add(x, graphBuilder().input('z', 'float32', [6]))).toThrow(InvalidGraphError)
    expect(() => graphBuilder().toModelProto()).toThrow(InvalidGraphError)
  })

  it('infers symbolic shapes through reshape, concat, slice, matmul and broadcasts', () => {
    const b = graphBuilder()
    const x = b.input('x', 'float32', ['batch_size', 'sequence_length', 8])
    const past = b.input('past', 'float32', ['batch_size', 2, 'past_sequence_length', 4])
    const heads = b.transpose(b.reshape(x, [0, 0, 2, 4]), [0, 2, 1, 3])
    expect(heads.shape).toEqual(['batch_size', 2, 'sequence_length', 4])
    expect(b.concat([past, heads], 2, 'total_sequence_length').shape).toEqual(['batch_size', 2, 'total_sequence_length', 4])
    expect(b.concat([past, heads], 2).shape[2]).toBe('past_sequence_length+sequence_length')
    const flat = b.reshape(x, [-1, 8])
    expect(flat.shape).toEqual(['batch_size*sequence_length', 8])
    expect(b.reshape(flat, [-1, 2, 4]).shape).toEqual(['batch_size*sequence_length', 2, 4])
    expect(b.slice(x, [-1], [Infinity], [1]).shape).toEqual(['batch_size', 1, 8])
    expect(b.matmul(heads, b.transpose(heads, [0, 1, 3, 2])).shape).toEqual(['batch_size', 2, 'sequence_length', 'sequence_length'])
    expect(b.add(x, b.constant(tensor('float32', [1, 1, 8]))).shape).toEqual(['batch_size', 'sequence_length', 8])
    const shape = b.shapeOf(x)
    expect(b.reshape(x, shape, ['batch_size', 'sequence_length', 8]).shape).toEqual(['batch_size', 'sequence_length', 8])
  })
})

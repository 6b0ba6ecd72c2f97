/**
 * A minimal protobuf writer for the subset of onnx.proto that models need. Field numbers are
 * from onnx/onnx.proto (IR version 10). Messages are built from chunk lists, so large
 * `raw_data` buffers are copied once, into the final model bytes.
 */
import type { Tensor } from './tensor.js'
import { ONNX_DTYPE, tensorBytes } from './tensor.js'
import type { Shape } from './shape.js'
import type { DType } from './tensor.js'

/** An ONNX node attribute value. */
export type Attr =
  | { kind: 'int', value: number | bigint }
  | { kind: 'float', value: number }
  | { kind: 'string', value: string }
  | { kind: 'ints', value: ReadonlyArray<number | bigint> }
  | { kind: 'floats', value: readonly number[] }
  | { kind: 'tensor', value: Tensor }

/** A node as serialized. */
export interface NodeProtoDef {
  name: string
  opType: string
  domain?: string
  inputs: readonly string[]
  outputs: readonly string[]
  attrs: Readonly<Record<string, Attr>>
}

/** A typed graph input/output. */
export interface ValueInfoDef { name: string, dtype: DType, shape: Shape }

/** A whole model as serialized. */
export interface ModelProtoDef {
  irVersion: number
  opset: number
  producerName: string
  producerVersion: string
  graphName: string
  docString?: string
  nodes: readonly NodeProtoDef[]
  initializers: ReadonlyArray<{ name: string, tensor: Tensor }>
  inputs: readonly ValueInfoDef[]
  outputs: readonly ValueInfoDef[]
  metadata: Readonly<Record<string, string>>
}

const encoder = new TextEncoder()

class Writer {
  private readonly chunks: Uint8Array[] = []
  private scratch: number[] = []
  length = 0

  private flush (): void {
    if (this.scratch.length === 0) return
    this.chunks.push(Uint8Array.from(this.scratch))
    this.scratch = []
  }

  private pushBytes (b: Uint8Array): void {
    if (b.length < 64) {
      for (const x of b) this.scratch.push(x)
    } else {
      this.flush()
      this.chunks.push(b)
    }
    this.length += b.length
  }

  private varint (v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v))
    if (typeof v === 'number' && v >= 0 && v < 2 ** 31) {
      let n = v
      while (n >= 0x80) { this.scratch.push((n & 0x7f) | 0x80); this.length++; n >>>= 7 }
      this.scratch.push(n); this.length++
      return
    }
    while (x >= 0x80n) { this.scratch.push(Number(x & 0x7fn) | 0x80); this.length++; x >>= 7n }
    this.scratch.push(Number(x)); this.length++
  }

  private tag (field: number, wire: number): void { this.varint(field * 8 + wire) }

  int (field: number, v: number | bigint): this { this.tag(field, 0); this.varint(v); return this }

  float (field: number, v: number): this {
    this.tag(field, 5)
    const b = new Uint8Array(4)
    new DataView(b.buffer).setFloat32(0, v, true)
    this.pushBytes(b)
    return this
  }

  bytes (field: number, b: Uint8Array): this { this.tag(field, 2); this.varint(b.length); this.pushBytes(b); return this }

  string (field: number, s: string): this { return this.bytes(field, encoder.encode(s)) }

  message (field: number, m: Writer): this {
    this.tag(field, 2)
    this.varint(m.length)
    this.flush()
    m.flush()
    for (const c of m.chunks) this.chunks.push(c)
    this.length += m.length
    return this
  }

  finish (): Uint8Array {
    this.flush()
    const out = new Uint8Array(this.length)
    let off = 0
    for (const c of this.chunks) { out.set(c, off); off += c.length }
    return out
  }
}

function tensorProto (name: string, t: Tensor): Writer {
  const w = new Writer()
  for (const d of t.dims) w.int(1, d)
  w.int(2, ONNX_DTYPE[t.dtype])
  if (name !== '') w.string(8, name)
  // raw_data must be a copy only if the view is not the whole buffer; the writer keeps a reference.
  w.bytes(9, tensorBytes(t))
  return w
}

function attributeProto (name: string, a: Attr): Writer {
  const w = new Writer().string(1, name)
  switch (a.kind) {
    case 'float': w.float(2, a.value); w.int(20, 1); break
    case 'int': w.int(3, a.value); w.int(20, 2); break
    case 'string': w.string(4, a.value); w.int(20, 3); break
    case 'tensor': w.message(5, tensorProto('', a.value)); w.int(20, 4); break
    case 'floats': for (const f of a.value) w.float(7, f); w.int(20, 6); break
    case 'ints': for (const i of a.value) w.int(8, i); w.int(20, 7); break
  }
  return w
}

function nodeProto (n: NodeProtoDef): Writer {
  const w = new Writer()
  for (const i of n.inputs) w.string(1, i)
  for (const o of n.outputs) w.string(2, o)
  w.string(3, n.name)
  w.string(4, n.opType)
  for (const key of Object.keys(n.attrs).sort()) w.message(5, attributeProto(key, n.attrs[key]))
  if (n.domain !== undefined && n.domain !== '') w.string(7, n.domain)
  return w
}

function valueInfoProto (v: ValueInfoDef): Writer {
  const shape = new Writer()
  for (const d of v.shape) {
    const dim = new Writer()
    if (typeof d === 'number') dim.int(1, d)
    else dim.string(2, d)
    shape.message(1, dim)
  }
  const tensorType = new Writer().int(1, ONNX_DTYPE[v.dtype]).message(2, shape)
  const type = new Writer().message(1, tensorType)
  return new Writer().string(1, v.name).message(2, type)
}

/** Serializes a model to ONNX `ModelProto` bytes; the same definition gives the same bytes. */
export function encodeModel (m: ModelProtoDef): Uint8Array {
  const g = new Writer()
  for (const n of m.nodes) g.message(1, nodeProto(n))
  g.string(2, m.graphName)
  for (const i of m.initializers) g.message(5, tensorProto(i.name, i.tensor))
  for (const v of m.inputs) g.message(11, valueInfoProto(v))
  for (const v of m.outputs) g.message(12, valueInfoProto(v))
  const model = new Writer()
  model.int(1, m.irVersion)
  model.string(2, m.producerName)
  model.string(3, m.producerVersion)
  if (m.docString !== undefined) model.string(6, m.docString)
  model.message(7, g)
  model.message(8, new Writer().string(1, '').int(2, m.opset))
  for (const key of Object.keys(m.metadata).sort()) {
    model.message(14, new Writer().string(1, key).string(2, m.metadata[key]))
  }
  return model.finish()
}

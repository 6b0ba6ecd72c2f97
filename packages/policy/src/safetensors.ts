/**
 * safetensors read/write: an 8-byte little-endian header length, a JSON header
 * (`{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { string: string } }`)
 * and the raw little-endian tensor bytes. Reading validates everything the format promises
 * (sizes, offsets inside the buffer, no overlaps or holes, known dtypes) and throws
 * `SafetensorsFormatError` naming the file and the problem.
 */
import { MAX_SAFETENSORS_HEADER } from './constants.js'
import { InvalidArgumentError, SafetensorsFormatError } from './errors.js'
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './half.js'

/** Floating-point dtypes murmur reads and writes. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16'

/** One tensor: F32 data as Float32Array; F16/BF16 as their raw 16-bit patterns (bit-exact). */
export interface SafeTensor {
  dtype: SafetensorsDtype
  shape: number[]
  data: Float32Array | Uint16Array
}

/** A decoded safetensors file. */
export interface SafetensorsFile {
  tensors: Record<string, SafeTensor>
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 }
const KNOWN_OTHER = new Set(['F64', 'F8_E4M3', 'F8_E5M2', 'I64', 'I32', 'I16', 'I8', 'U64', 'U32', 'U16', 'U8', 'BOOL'])

/** A float32 tensor to be written as `dtype` (converted with round-to-nearest-even). */
export function tensorFromFloat32 (data: Float32Array, shape: number[], dtype: SafetensorsDtype = 'F32'): SafeTensor {
  if (dtype === 'F32') return { dtype, shape, data }
  return { dtype, shape, data: dtype === 'F16' ? float32ToFloat16(data) : float32ToBfloat16(data) }
}

/** The tensor's values as float32 (F16/BF16 widened exactly). */
export function tensorToFloat32 (t: SafeTensor): Float32Array {
  if (t.dtype === 'F32') return t.data as Float32Array
  return t.dtype === 'F16' ? float16ToFloat32(t.data as Uint16Array) : bfloat16ToFloat32(t.data as Uint16Array)
}

/** Serializes tensors (in the given key order) and string metadata to safetensors bytes. */
export function writeSafetensors (tensors: Record<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {}
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new InvalidArgumentError(`metadata.${k}`, 'safetensors metadata values must be strings')
    }
    header.__metadata__ = metadata
  }
  let offset = 0
  const entries = Object.entries(tensors)
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new InvalidArgumentError('tensors', '"__metadata__" is reserved')
    const bytes = BYTES[t.dtype]
    if (bytes === undefined) throw new InvalidArgumentError(`tensors.${name}.dtype`, `unsupported dtype ${String(t.dtype)}`)
    const numel = t.shape.reduce((a, b) => a * b, 1)
    if (!t.shape.every(d => Number.isInteger(d) && d >= 0) || numel !== t.data.length) {
      throw new InvalidArgumentError(`tensors.${name}`, `shape [${t.shape.join(', ')}] does not match ${t.data.length} values`)
    }
    if ((t.dtype === 'F32') !== (t.data instanceof Float32Array) || (t.dtype !== 'F32' && !(t.data instanceof Uint16Array))) {
      throw new InvalidArgumentError(`tensors.${name}.data`, `${t.dtype} needs ${t.dtype === 'F32' ? 'a Float32Array' : 'a Uint16Array of raw bits'}`)
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + numel * bytes] }
    offset += numel * bytes
  }
  let json = JSON.stringify(header)
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
  const jsonBytes = new TextEncoder().encode(json)
  const padded = Math.ceil(jsonBytes.length / 8) * 8
  json += ' '.repeat(padded - jsonBytes.length)
  const out = new Uint8Array(8 + padded + offset)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, BigInt(padded), true)
  out.set(new TextEncoder().encode(json), 8)
  let pos = 8 + padded
  for (const [, t] of entries) {
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)
    out.set(src, pos)
    pos += src.length
  }
  if (!isLittleEndian()) throw new InvalidArgumentError('platform', 'big-endian hosts are not supported')
  return out
}

/** Parses and validates safetensors bytes; `file` labels errors. Tensor data is copied out. */
export function readSafetensors (bytes: Uint8Array, file = '<buffer>'): SafetensorsFile {
  const fail = (problem: string, message: string): never => { throw new SafetensorsFormatError(file, problem, message) }
  if (bytes.length < 8) fail('truncated', `file is ${bytes.length} bytes, shorter than the 8-byte header length`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLen = view.getBigUint64(0, true)
  if (headerLen > BigInt(MAX_SAFETENSORS_HEADER)) fail('bad-header', `header length ${headerLen} exceeds the ${MAX_SAFETENSORS_HEADER}-byte limit`)
  const hlen = Number(headerLen)
  if (8 + hlen > bytes.length) fail('truncated', `header length ${hlen} runs past the end of the ${bytes.length}-byte file`)
  let header: unknown
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + hlen)))
  } catch (err) {
    fail('bad-header', `header is not valid UTF-8 JSON (${(err as Error).message})`)
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('bad-header', 'header is not a JSON object')
  const dataLen = bytes.length - 8 - hlen
  const metadata: Record<string, string> = {}
  const spans: Array<{ name: string, begin: number, end: number }> = []
  const tensors: Record<string, SafeTensor> = {}
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('bad-metadata', '__metadata__ is not an object')
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail('bad-metadata', `__metadata__.${k} is not a string`)
        metadata[k] = v as string
      }
      continue
    }
    if (raw === null || typeof raw !== 'object') fail('bad-header', `entry "${name}" is not an object`)
    const { dtype, shape, data_offsets: offsets } = raw as { dtype?: unknown, shape?: unknown, data_offsets?: unknown }
    if (typeof dtype !== 'string') fail('bad-header', `tensor "${name}" has no dtype`)
    if (!(dtype as string in BYTES)) {
      fail('unsupported-dtype', `tensor "${name}" has dtype ${String(dtype)}; ${KNOWN_OTHER.has(dtype as string) ? 'murmur reads only F32, F16 and BF16' : 'not a safetensors dtype'}`)
    }
    if (!Array.isArray(shape) || !shape.every(d => Number.isSafeInteger(d) && d >= 0)) fail('bad-header', `tensor "${name}" has an invalid shape`)
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(o => Number.isSafeInteger(o) && o >= 0)) {
      fail('bad-header', `tensor "${name}" has invalid data_offsets`)
    }
    const [begin, end] = offsets as [number, number]
    const numel = (shape as number[]).reduce((a, b) => a * b, 1)
    const size = BYTES[dtype as SafetensorsDtype]
    if (end < begin) fail('bad-offsets', `tensor "${name}" ends (${end}) before it begins (${begin})`)
    if (end - begin !== numel * size) fail('bad-offsets', `tensor "${name}" spans ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] ${String(dtype)} needs ${numel * size}`)
    if (end > dataLen) fail('out-of-range', `tensor "${name}" ends at byte ${end} but the data section has ${dataLen} bytes (truncated?)`)
    spans.push({ name, begin, end })
    const start = 8 + hlen + begin
    let data: Float32Array | Uint16Array
    if (dtype === 'F32') {
      data = new Float32Array(numel)
      new Uint8Array(data.buffer).set(bytes.subarray(start, start + numel * 4))
    } else {
      data = new Uint16Array(numel)
      new Uint8Array(data.buffer).set(bytes.subarray(start, start + numel * 2))
    }
    tensors[name] = { dtype: dtype as SafetensorsDtype, shape: shape as number[], data }
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end)
  let cursor = 0
  for (const s of spans) {
    if (s.begin < cursor) fail('overlapping-offsets', `tensor "${s.name}" overlaps the previous tensor`)
    if (s.begin > cursor) fail('bad-offsets', `a ${s.begin - cursor}-byte hole precedes tensor "${s.name}"`)
    cursor = s.end
  }
  if (cursor !== dataLen) fail('bad-offsets', `${dataLen - cursor} trailing bytes follow the last tensor`)
  return { tensors, metadata }
}

function isLittleEndian (): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
}

/**
 * Parses a sharded checkpoint's `model.safetensors.index.json` (`{ weight_map: { tensor: shard } }`)
 * into shard file → tensor names, validating that shard names are plain file names.
 */
export function parseSafetensorsIndex (index: Record<string, unknown>, file = 'model.safetensors.index.json'): Map<string, string[]> {
  const map = index.weight_map
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw new SafetensorsFormatError(file, 'bad-index', 'has no weight_map object')
  const shards = new Map<string, string[]>()
  for (const [name, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string' || !/^[\w.-]+\.safetensors$/.test(shard)) {
      throw new SafetensorsFormatError(file, 'bad-index', `weight_map["${name}"] is ${JSON.stringify(shard)}, not a .safetensors file name in the folder`)
    }
    const names = shards.get(shard) ?? []
    names.push(name)
    shards.set(shard, names)
  }
  return shards
}

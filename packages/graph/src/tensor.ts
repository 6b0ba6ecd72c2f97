import { InvalidArgumentError } from '@murmur/interface'

/** Element types the builder handles. */
export type DType = 'float32' | 'float64' | 'int64' | 'bool'

/** Typed-array storage of each dtype (`bool` is one byte per element, 0 or 1). */
export interface TypedArrayOf {
  float32: Float32Array
  float64: Float64Array
  int64: BigInt64Array
  bool: Uint8Array
}

/** Any storage array of a `Tensor`. */
export type TensorData = TypedArrayOf[DType]

/** A dense host tensor: row-major data with static dims. */
export interface Tensor<D extends DType = DType> {
  readonly dtype: D
  readonly dims: readonly number[]
  readonly data: TypedArrayOf[D]
}

/** ONNX `TensorProto.DataType` codes. */
export const ONNX_DTYPE: Record<DType, number> = { float32: 1, int64: 7, bool: 9, float64: 11 }

/** True for float32/float64. */
export function isFloat (dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64'
}

/** Number of elements of static `dims`. */
export function numel (dims: readonly number[]): number {
  let n = 1
  for (const d of dims) n *= d
  return n
}

/** Allocates storage for `n` elements of `dtype`. */
export function allocate<D extends DType> (dtype: D, n: number): TypedArrayOf[D] {
  switch (dtype) {
    case 'float32': return new Float32Array(n) as TypedArrayOf[D]
    case 'float64': return new Float64Array(n) as TypedArrayOf[D]
    case 'int64': return new BigInt64Array(n) as TypedArrayOf[D]
    case 'bool': return new Uint8Array(n) as TypedArrayOf[D]
    default: throw new InvalidArgumentError('dtype', `unsupported dtype ${String(dtype)}`)
  }
}

/** The dtype a typed array stores (Uint8Array counts as bool). */
export function dtypeOf (data: TensorData): DType {
  if (data instanceof Float32Array) return 'float32'
  if (data instanceof Float64Array) return 'float64'
  if (data instanceof BigInt64Array) return 'int64'
  if (data instanceof Uint8Array) return 'bool'
  throw new InvalidArgumentError('data', 'expected Float32Array, Float64Array, BigInt64Array or Uint8Array')
}

/**
 * Makes a tensor, checking that `data` matches `dims`. Plain number arrays are converted to
 * `dtype` (numbers to bigint for int64, truthiness for bool).
 */
export function tensor<D extends DType> (dtype: D, dims: readonly number[], data?: TypedArrayOf[D] | ArrayLike<number | bigint | boolean>): Tensor<D> {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new InvalidArgumentError('dims', `dims must be non-negative integers, got [${dims.join(', ')}]`)
  }
  const n = numel(dims)
  let out: TypedArrayOf[D]
  if (data === undefined) {
    out = allocate(dtype, n)
  } else if (ArrayBuffer.isView(data)) {
    if (dtypeOf(data as TensorData) !== dtype) throw new InvalidArgumentError('data', `storage does not match dtype ${dtype}`)
    out = data as TypedArrayOf[D]
  } else {
    out = allocate(dtype, data.length)
    for (let i = 0; i < data.length; i++) {
      const v = data[i]
      if (dtype === 'int64') (out as BigInt64Array)[i] = BigInt(v)
      else if (dtype === 'bool') (out as Uint8Array)[i] = v === true || (typeof v !== 'boolean' && Number(v) !== 0) ? 1 : 0
      else (out as Float32Array)[i] = Number(v)
    }
  }
  if (out.length !== n) throw new InvalidArgumentError('data', `${out.length} elements do not fill dims [${dims.join(', ')}] (${n})`)
  return { dtype, dims: [...dims], data: out }
}

/** A scalar tensor (dims `[]`). */
export function scalar<D extends DType> (dtype: D, value: number | bigint | boolean): Tensor<D> {
  return tensor(dtype, [], [value])
}

/** Little-endian bytes of a tensor's data (ONNX `raw_data`). */
export function tensorBytes (t: Tensor): Uint8Array {
  const d = t.data
  // Every supported platform for onnxruntime-node is little-endian, so the view is the encoding.
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
}

/**
 * float32 ↔ float16 / bfloat16 conversions (round to nearest, ties to even; NaN and ±Inf kept).
 * They work on whole arrays through a Uint32 view of the float32 bits, so no shared scratch state.
 */

/** Converts float32 values to IEEE-754 binary16 bits. */
export function float32ToFloat16 (src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length)
  const out = new Uint16Array(src.length)
  for (let i = 0; i < src.length; i++) out[i] = f32BitsToF16(bits[i])
  return out
}

/** Converts binary16 bits to float32 values (exact). */
export function float16ToFloat32 (src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length)
  for (let i = 0; i < src.length; i++) out[i] = f16BitsToNumber(src[i])
  return out
}

/** Converts float32 values to bfloat16 bits (round to nearest even; NaN stays NaN). */
export function float32ToBfloat16 (src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length)
  const out = new Uint16Array(src.length)
  for (let i = 0; i < src.length; i++) {
    const x = bits[i]
    if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) out[i] = ((x >>> 16) | 0x40) & 0xffff
    else out[i] = ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff
  }
  return out
}

/** Converts bfloat16 bits to float32 values (exact). */
export function bfloat16ToFloat32 (src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length)
  const bits = new Uint32Array(out.buffer)
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16
  return out
}

function f32BitsToF16 (x: number): number {
  const sign = (x >>> 16) & 0x8000
  const exp = (x >>> 23) & 0xff
  let mant = x & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0)
  let e = exp - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    mant |= 0x800000
    const shift = 14 - e
    const half = 1 << (shift - 1)
    const rest = mant & ((1 << shift) - 1)
    let m = mant >>> shift
    if (rest > half || (rest === half && (m & 1) === 1)) m++
    return sign | m
  }
  const rest = mant & 0x1fff
  let m = mant >>> 13
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1)) {
    m++
    if (m === 0x400) {
      m = 0
      e++
      if (e >= 0x1f) return sign | 0x7c00
    }
  }
  return sign | (e << 10) | m
}

function f16BitsToNumber (h: number): number {
  const sign = (h & 0x8000) !== 0 ? -1 : 1
  const exp = (h >>> 10) & 0x1f
  const mant = h & 0x3ff
  if (exp === 0) return sign * mant * 2 ** -24
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN
  return sign * (1 + mant / 1024) * 2 ** (exp - 15)
}

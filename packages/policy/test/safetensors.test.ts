import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readSafetensors, tensorFromFloat32, tensorToFloat32, writeSafetensors, type SafeTensor } from '../src/safetensors.js'
import { float16ToFloat32, float32ToFloat16 } from '../src/half.js'
import { createRng } from '@murmur/interface'

const dir = mkdtempSync(join(tmpdir(), 'murmur-st-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

function randomF32 (n: number, seed: number): Float32Array {
  const rng = createRng(seed)
  const a = Float32Array.from({ length: n }, () => rng.normal() * 3)
  a[0] = 0; a[1] = -0; a[2] = 65504; a[3] = 1e-7; a[4] = 6.1e-5; a[5] = -70000; a[6] = Infinity; a[7] = NaN
  return a
}

function sample (): Record<string, SafeTensor> {
  const x = randomF32(6 * 5, 1)
  return {
    'a.weight': tensorFromFloat32(x, [6, 5], 'F32'),
    'b.half': tensorFromFloat32(randomF32(17, 2), [17], 'F16'),
    'c.bf16': tensorFromFloat32(randomF32(8, 3), [2, 2, 2], 'BF16'),
    'd.empty': tensorFromFloat32(new Float32Array(0), [0, 3], 'F32'),
    'e.scalar': tensorFromFloat32(new Float32Array([4.5]), [], 'F32')
  }
}

describe('safetensors', () => {
  it('round-trips F32/F16/BF16 bit-exactly with metadata', () => {
    const tensors = sample()
    const bytes = writeSafetensors(tensors, { step: '12', config: '{"nLayer":2}' })
    expect(new DataView(bytes.buffer).getBigUint64(0, true) % 8n).toBe(0n)
    const back = readSafetensors(bytes, 'x.safetensors')
    expect(back.metadata).toEqual({ step: '12', config: '{"nLayer":2}' })
    expect(Object.keys(back.tensors)).toEqual(Object.keys(tensors))
    for (const [name, t] of Object.entries(tensors)) {
      const r = back.tensors[name]
      expect(r.dtype).toBe(t.dtype)
      expect(r.shape).toEqual(t.shape)
      expect(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))).toBe(true)
    }
    // writing what was read gives identical bytes
    expect(Buffer.from(writeSafetensors(back.tensors, back.metadata)).equals(Buffer.from(bytes))).toBe(true)
  })

  it('F16 conversion of every half value is exact both ways', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i)
    const wide = float16ToFloat32(all)
    const again = float32ToFloat16(wide)
    for (let i = 0; i < 65536; i++) {
      const isNaN = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0
      if (!isNaN) expect(again[i]).toBe(i)
      else expect(Number.isNaN(wide[i])).toBe(true)
    }
  })

  const bad: Array<[string, (b: Uint8Array) => Uint8Array, string]> = [
    ['truncated data', b => b.subarray(0, b.length - 3), 'out-of-range'],
    ['tiny file', b => b.subarray(0, 5), 'truncated'],
    ['header past end', b => { const c = b.slice(0, 200); return c }, 'truncated'],
    ['trailing bytes', b => { const c = new Uint8Array(b.length + 4); c.set(b); return c }, 'bad-offsets']
  ]
  for (const [what, mutate, problem] of bad) {
    it(`rejects a file with ${what} (${problem})`, () => {
      const bytes = mutate(writeSafetensors(sample()))
      expect(() => readSafetensors(bytes, 'm.safetensors')).toThrow(expect.objectContaining({ code: 'ERR_SAFETENSORS_FORMAT', file: 'm.safetensors', problem }))
    })
  }

  function withHeader (header: unknown, data: number): Uint8Array {
    const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header))
    const out = new Uint8Array(8 + json.length + data)
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true)
    out.set(json, 8)
    return out
  }

  const headers: Array<[string, unknown, number, string]> = [
    ['non-JSON header', '{"a": ', 0, 'bad-header'],
    ['array header', '[1,2]', 0, 'bad-header'],
    ['wrong dtype', { a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, 8, 'unsupported-dtype'],
    ['unknown dtype', { a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, 1, 'unsupported-dtype'],
    ['size mismatch', { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8, 'bad-offsets'],
    ['overlap', { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12, 'overlapping-offsets'],
    ['hole', { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8, 'bad-offsets'],
    ['out of range', { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8, 'out-of-range'],
    ['negative shape', { a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, 0, 'bad-header'],
    ['bad metadata', { __metadata__: { step: 3 } }, 0, 'bad-metadata']
  ]
  for (const [what, header, data, problem] of headers) {
    it(`rejects a header with ${what} (${problem})`, () => {
      expect(() => readSafetensors(withHeader(header, data), 'h.safetensors')).toThrow(expect.objectContaining({ code: 'ERR_SAFETENSORS_FORMAT', problem }))
    })
  }

  it('rejects an absurd header length without allocating', () => {
    const b = new Uint8Array(16)
    new DataView(b.buffer).setBigUint64(0, 2n ** 62n, true)
    expect(() => readSafetensors(b)).toThrow(expect.objectContaining({ problem: 'bad-header' }))
  })

  const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0
  it.skipIf(!hasNumpy)('an independent Python/numpy reader reads what murmur writes (skipped without python3-numpy)', () => {
    const tensors = sample()
    const file = join(dir, 'model.safetensors')
    writeFileSync(file, writeSafetensors(tensors, { step: '3' }))
    // A from-scratch reader: header length, JSON header, numpy views with the spec's dtypes.
    const script = `
import json, struct, sys, numpy as np
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop('__metadata__', {})
out = {'meta': meta}
for name, h in header.items():
    b, e = h['data_offsets']
    buf = raw[8 + n + b: 8 + n + e]
    if h['dtype'] == 'BF16':
        a = (np.frombuffer(buf, dtype='<u2').astype(np.uint32) << 16).view(np.float32)
    else:
        a = np.frombuffer(buf, dtype={'F32': '<f4', 'F16': '<f2'}[h['dtype']]).astype(np.float32)
    a = a.reshape(h['shape'])
    out[name] = [None if np.isnan(v) else ('inf' if np.isposinf(v) else ('-inf' if np.isneginf(v) else float(v))) for v in a.ravel()]
print(json.dumps(out))
`
    const parsed = JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as Record<string, unknown>
    expect(parsed.meta).toEqual({ step: '3' })
    for (const [name, t] of Object.entries(tensors)) {
      const expected = Array.from(tensorToFloat32(t), v => Number.isNaN(v) ? null : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v)
      expect(parsed[name]).toEqual(expected)
    }
    // numpy's own float32 → float16 rounding (fed the exact float32 bits) must match ours.
    const src = randomF32(4096, 2)
    const numpyHalf = JSON.parse(execFileSync('python3', ['-c', `
import json, numpy as np, sys
src = np.array(json.loads(sys.stdin.read()), dtype=np.uint32).view(np.float32)
with np.errstate(over='ignore'):  # 70000 → inf is part of the check
    half = src.astype(np.float16)
print(json.dumps(half.view('<u2').tolist()))`], { input: JSON.stringify(Array.from(new Uint32Array(src.buffer))), encoding: 'utf8' })) as number[]
    const ours = Array.from(float32ToFloat16(src))
    expect(ours).toEqual(numpyHalf)
  })
})

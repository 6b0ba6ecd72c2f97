/** A dimension: a static size or a symbol (`batch_size`) that equals itself only. */
export type Dim = number | string

/** A tensor shape; `[]` is a scalar. */
export type Shape = readonly Dim[]

/** Formats a shape for error messages: `[batch_size, 16]`. */
export function formatShape (shape: Shape): string {
  return `[${shape.join(', ')}]`
}

/** True when every dim is a number. */
export function isStatic (shape: Shape): shape is readonly number[] {
  return shape.every(d => typeof d === 'number')
}

/**
 * Numpy-style broadcast of two shapes. Returns undefined when they are incompatible: two
 * different static sizes neither of which is 1, or two different symbols. A symbol against a
 * static size other than 1 resolves to the static size (the runtime must agree).
 */
export function broadcastShapes (a: Shape, b: Shape): Dim[] | undefined {
  const rank = Math.max(a.length, b.length)
  const out: Dim[] = []
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]
    if (da === db) out.push(da)
    else if (da === 1) out.push(db)
    else if (db === 1) out.push(da)
    else if (typeof da === 'string' && typeof db === 'number') out.push(db)
    else if (typeof db === 'string' && typeof da === 'number') out.push(da)
    else return undefined
  }
  return out
}

/** Normalizes a possibly negative axis against `rank`; undefined when out of range. */
export function normAxis (axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined
}

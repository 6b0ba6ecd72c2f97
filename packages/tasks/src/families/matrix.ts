import type { TaskFamily } from '../types.js'
import { textPrompt } from '../util.js'

/** A matrix of small non-negative integers, row-major. */
export type Grid = number[][]

const MATRIX_OPS = ['transpose', 'rot90', 'flip', 'distance'] as const
type MatrixOp = typeof MATRIX_OPS[number]

const COMPACT_NAMES: Record<MatrixOp, string> = { transpose: 'tr', rot90: 'rot', flip: 'flip', distance: 'dist' }
const TEXT_QUESTIONS: Record<MatrixOp, string> = {
  transpose: 'Transpose the following binary matrix (rows become columns).',
  rot90: 'Rotate the following binary matrix 90 degrees clockwise.',
  flip: 'Mirror the following binary matrix left to right (reverse every row).',
  distance: 'For every cell of the following binary matrix, give the Manhattan distance to the nearest 0 cell.'
}

/** Applies one matrix operation. `distance` is a multi-source BFS from every zero cell. */
export function applyMatrixOp (op: MatrixOp, g: Grid): Grid {
  const rows = g.length
  const cols = g[0].length
  switch (op) {
    case 'transpose': return Array.from({ length: cols }, (_, c) => g.map(row => row[c]))
    case 'rot90': return Array.from({ length: cols }, (_, c) => Array.from({ length: rows }, (_, r) => g[rows - 1 - r][c]))
    case 'flip': return g.map(row => row.slice().reverse())
    case 'distance': {
      const dist: Grid = g.map(row => row.map(v => v === 0 ? 0 : -1))
      let frontier: Array<[number, number]> = []
      g.forEach((row, r) => row.forEach((v, c) => { if (v === 0) frontier.push([r, c]) }))
      while (frontier.length > 0) {
        const next: Array<[number, number]> = []
        for (const [r, c] of frontier) {
          for (const [dr, dc] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
            const nr = r + dr
            const nc = c + dc
            if (nr >= 0 && nr < rows && nc >= 0 && nc < cols && dist[nr][nc] === -1) {
              dist[nr][nc] = dist[r][c] + 1
              next.push([nr, nc])
            }
          }
        }
        frontier = next
      }
      return dist
    }
  }
}

/** Compact rendering: rows joined by `/`, single-digit cells concatenated. */
export function gridCompact (g: Grid): string {
  return g.map(row => row.join('')).join('/')
}

/** Text rendering: one row per line, cells separated by spaces. */
export function gridText (g: Grid): string {
  return g.map(row => row.join(' ')).join('\n')
}

/**
 * Parses a grid: rows separated by `/`, `;` or newlines; cells separated by spaces/commas/tabs, or
 * (when a row has no separators) one digit per character. Returns null when malformed.
 */
export function parseGrid (s: string): Grid | null {
  const rows = s.split(/[/;\n]/).map(r => r.trim()).filter(r => r.length > 0)
  if (rows.length === 0 || rows.length > 16) return null
  const out: Grid = []
  for (const row of rows) {
    const cells = /[\s,]/.test(row) ? row.split(/[\s,]+/).filter(c => c.length > 0) : row.split('')
    if (cells.length > 16) return null
    const nums: number[] = []
    for (const c of cells) {
      if (!/^\d{1,2}$/.test(c)) return null
      nums.push(Number(c))
    }
    out.push(nums)
  }
  return out
}

/** `binary_matrix`: transpose / rotate / mirror a 0-1 matrix, or distance-to-nearest-zero. */
export const binaryMatrix: TaskFamily = {
  name: 'binary_matrix',
  version: 1,
  description: 'Transform a random binary matrix; partial credit 0.5·(correct cells / cells) when the shape is right but some cells are wrong.',
  params: {
    op: { kind: 'enum', values: [...MATRIX_OPS, 'mixed'], default: 'mixed', doc: 'transpose, rot90 (clockwise), flip (left-right), distance (to nearest 0), or mixed' },
    rows: { kind: 'int', min: 2, max: 5, default: 3, doc: 'number of rows' },
    cols: { kind: 'int', min: 2, max: 5, default: 3, doc: 'number of columns' }
  },
  generate (rng, p) {
    const op: MatrixOp = p.op === 'mixed' ? rng.pick(MATRIX_OPS) : p.op as MatrixOp
    const rows = p.rows as number
    const cols = p.cols as number
    const pOne = op === 'distance' ? 0.7 : 0.5
    const g: Grid = Array.from({ length: rows }, () => Array.from({ length: cols }, (): number => rng.chance(pOne) ? 1 : 0))
    if (op === 'distance' && !g.some(row => row.includes(0))) g[rng.int(0, rows - 1)][rng.int(0, cols - 1)] = 0
    const result = applyMatrixOp(op, g)
    const compact = p.format === 'compact'
    return {
      prompt: compact
        ? `${COMPACT_NAMES[op]} ${gridCompact(g)}=`
        : textPrompt(`${TEXT_QUESTIONS[op]}\n${gridText(g)}\nWrite the result with one row per line and cells separated by spaces.`),
      answer: compact ? gridCompact(result) : gridText(result),
      meta: { op, input: gridCompact(g) }
    }
  },
  check (answer, parsed) {
    const want = parseGrid(answer)
    const got = parseGrid(parsed)
    if (want === null) return { score: 0, reason: 'bad reference' }
    if (got === null) return { score: 0, reason: 'unparseable' }
    if (got.length !== want.length || got.some((row, r) => row.length !== want[r].length)) return { score: 0, reason: 'wrong shape' }
    let correct = 0
    let total = 0
    want.forEach((row, r) => row.forEach((v, c) => { total++; if (got[r][c] === v) correct++ }))
    if (correct === total) return { score: 1, reason: 'correct' }
    return { score: 0.5 * correct / total, reason: `partial: ${correct}/${total} cells` }
  }
}

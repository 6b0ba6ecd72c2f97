/**
 * Minimal SVG charts for experiment reports (no dependency): a line chart of series over
 * rounds and a bar chart of one value per arm. Output is deterministic text.
 */

/** One line of a line chart. */
export interface Series {
  name: string
  points: Array<[number, number]>
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f']
const W = 720
const H = 400
const M = { left: 60, right: 170, top: 40, bottom: 50 }

/** A line chart with axes, ticks and a legend. */
export function lineChart (title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const xs = series.flatMap(s => s.points.map(p => p[0]))
  const ys = series.flatMap(s => s.points.map(p => p[1])).filter(Number.isFinite)
  const [x0, x1] = extent(xs)
  const [y0, y1] = niceExtent(ys)
  const px = (x: number): number => M.left + (x1 === x0 ? 0 : (x - x0) / (x1 - x0)) * (W - M.left - M.right)
  const py = (y: number): number => H - M.bottom - (y1 === y0 ? 0 : (y - y0) / (y1 - y0)) * (H - M.top - M.bottom)
  const parts = [header(title), axes(xLabel, yLabel)]
  for (const t of ticks(y0, y1)) parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="#eee"/><text x="${M.left - 6}" y="${f(py(t) + 4)}" text-anchor="end" font-size="11">${fmtTick(t)}</text>`)
  for (const t of ticks(x0, x1)) parts.push(`<text x="${f(px(t))}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11">${fmtTick(t)}</text>`)
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]
    const d = s.points.filter(p => Number.isFinite(p[1])).map((p, k) => `${k === 0 ? 'M' : 'L'}${f(px(p[0]))},${f(py(p[1]))}`).join(' ')
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`)
    parts.push(`<rect x="${W - M.right + 12}" y="${M.top + 18 * i}" width="12" height="12" fill="${color}"/><text x="${W - M.right + 30}" y="${M.top + 18 * i + 10}" font-size="12">${esc(s.name)}</text>`)
  })
  return parts.join('\n') + '\n</svg>\n'
}

/** A bar chart of one value per label. */
export function barChart (title: string, yLabel: string, bars: Array<{ label: string, value: number, err?: number }>): string {
  const [y0, y1] = niceExtent([0, ...bars.map(b => b.value + (Number.isFinite(b.err) ? (b.err ?? 0) : 0))])
  const plotW = W - M.left - M.right
  const bw = plotW / Math.max(1, bars.length)
  const py = (y: number): number => H - M.bottom - (y1 === y0 ? 0 : (y - y0) / (y1 - y0)) * (H - M.top - M.bottom)
  const parts = [header(title), axes('', yLabel)]
  for (const t of ticks(y0, y1)) parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="#eee"/><text x="${M.left - 6}" y="${f(py(t) + 4)}" text-anchor="end" font-size="11">${fmtTick(t)}</text>`)
  bars.forEach((b, i) => {
    const x = M.left + i * bw + bw * 0.15
    parts.push(`<rect x="${f(x)}" y="${f(py(b.value))}" width="${f(bw * 0.7)}" height="${f(py(y0) - py(b.value))}" fill="${COLORS[i % COLORS.length]}"/>`)
    parts.push(`<text x="${f(x + bw * 0.35)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="12">${esc(b.label)}</text>`)
    parts.push(`<text x="${f(x + bw * 0.35)}" y="${f(py(b.value) - 4)}" text-anchor="middle" font-size="11">${fmtTick(b.value)}</text>`)
    // ± err whisker (e.g. a standard error over seeds).
    if (b.err !== undefined && Number.isFinite(b.err) && b.err > 0) parts.push(`<line x1="${f(x + bw * 0.35)}" x2="${f(x + bw * 0.35)}" y1="${f(py(b.value - b.err))}" y2="${f(py(b.value + b.err))}" stroke="#000" stroke-width="1.5"/>`)
  })
  return parts.join('\n') + '\n</svg>\n'
}

/** Trailing moving average (window w) of y over points sorted by x. */
export function movingAverage (points: Array<[number, number]>, w: number): Array<[number, number]> {
  return points.map((p, i) => {
    const win = points.slice(Math.max(0, i - w + 1), i + 1).map(q => q[1])
    return [p[0], win.reduce((a, b) => a + b, 0) / win.length]
  })
}

function header (title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n<rect width="${W}" height="${H}" fill="white"/>\n<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`
}

function axes (xLabel: string, yLabel: string): string {
  return `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/><line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>` +
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>` +
    `<text x="16" y="${(M.top + H - M.bottom) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${(M.top + H - M.bottom) / 2})">${esc(yLabel)}</text>`
}

function extent (values: number[]): [number, number] {
  if (values.length === 0) return [0, 1]
  return [Math.min(...values), Math.max(...values)]
}

function niceExtent (values: number[]): [number, number] {
  const [lo, hi] = extent(values)
  if (lo === hi) return [lo - 1, hi + 1]
  const step = niceStep((hi - lo) / 5)
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step]
}

function niceStep (raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw))
  const m = raw / p
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p
}

function ticks (lo: number, hi: number): number[] {
  if (hi <= lo) return [lo]
  const step = niceStep((hi - lo) / 5)
  const out: number[] = []
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)))
  return out
}

function fmtTick (t: number): string {
  return Math.abs(t) >= 100 ? t.toFixed(0) : Number(t.toPrecision(3)).toString()
}

function f (x: number): string {
  return x.toFixed(1)
}

function esc (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

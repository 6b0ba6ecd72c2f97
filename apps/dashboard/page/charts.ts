// Charts of the page, all drawn by uPlot (loaded as a global by index.html): this file only maps
// the view onto uPlot's aligned data and options.
import type UPlot from 'uplot/dist/uPlot.js'
import type { NodeView, RoundPoint } from '@murmur/metrics'

declare const uPlot: typeof UPlot

/** Distinct colours for up to ten nodes (then repeated). */
const PALETTE = ['#3366cc', '#dc3912', '#ff9900', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00', '#b82e2e', '#316395']

/** The colour of node `i`. */
export function nodeColor (i: number): string {
  return PALETTE[i % PALETTE.length]
}

/** One uPlot chart in a figure, recreated when its series change. */
export interface Chart {
  update(data: UPlot.AlignedData, series: UPlot.Series[]): void
  resize(): void
}

/** A chart inside the figure with id `figureId`; `axes` names the y axes' units. */
export function chart (figureId: string, options: { yLabel: string, y2Label?: string, y2Scale?: string }): Chart {
  const figure = document.getElementById(figureId) as HTMLElement
  let plot: UPlot | undefined
  let seriesKey = ''
  const size = (): { width: number, height: number } => ({ width: Math.max(300, figure.clientWidth - 16), height: 240 })
  return {
    update (data, series) {
      const key = series.map(s => `${String(s.label)}:${String(s.stroke)}`).join('|')
      if (plot === undefined || key !== seriesKey) {
        plot?.destroy()
        seriesKey = key
        const axes: UPlot.Axis[] = [{ label: 'round' }, { label: options.yLabel }]
        const scales: UPlot.Scales = { x: { time: false } }
        if (options.y2Scale !== undefined) {
          axes.push({ scale: options.y2Scale, side: 1, label: options.y2Label, grid: { show: false } })
          scales[options.y2Scale] = {}
        }
        plot = new uPlot({ ...size(), series: [{ label: 'round' }, ...series], axes, scales, legend: { live: true } }, data, figure)
      } else {
        plot.setData(data)
      }
      figure.dataset.points = String(data[0].length)
    },
    resize () { plot?.setSize(size()) }
  }
}

/** Rounds 0…max over all nodes, as uPlot's shared x values. */
function roundsAxis (nodes: readonly NodeView[]): number[] {
  let max = -1
  for (const n of nodes) max = Math.max(max, n.rounds.at(-1)?.round ?? -1)
  return Array.from({ length: max + 1 }, (_, i) => i)
}

/** Per node, `pick` of each round (null where the node has no such round). */
function perNode (nodes: readonly NodeView[], xs: number[], pick: (points: RoundPoint[], i: number) => number | null): Array<Array<number | null>> {
  return nodes.map(n => {
    const out: Array<number | null> = xs.map(() => null)
    n.rounds.forEach((p, i) => { if (p.round < out.length) out[p.round] = pick(n.rounds, i) })
    return out
  })
}

const finite = (v: number | null | undefined): number | null => v === null || v === undefined || !Number.isFinite(v) ? null : v

/** Mean reward of the last `w` rounds up to each round, per node. */
export function rewardData (nodes: readonly NodeView[], w = 10): { data: UPlot.AlignedData, series: UPlot.Series[] } {
  const xs = roundsAxis(nodes)
  const ys = perNode(nodes, xs, (points, i) => {
    let sum = 0
    let k = 0
    for (let j = Math.max(0, i - w + 1); j <= i; j++) {
      const v = finite(points[j].reward)
      if (v !== null) { sum += v; k++ }
    }
    return k === 0 ? null : sum / k
  })
  return { data: [xs, ...ys], series: nodes.map(n => ({ label: `node ${n.index}`, stroke: nodeColor(n.index), width: 1.5 })) }
}

/** Held-out accuracy per node at the rounds it was evaluated. */
export function evalData (nodes: readonly NodeView[]): { data: UPlot.AlignedData, series: UPlot.Series[] } {
  const rounds = new Set<number>()
  for (const n of nodes) for (const e of n.evals) rounds.add(e.round)
  const xs = [...rounds].sort((a, b) => a - b)
  const ys = nodes.map(n => {
    const at = new Map(n.evals.map(e => [e.round, finite(e.accuracy)]))
    return xs.map(x => at.get(x) ?? null)
  })
  return {
    data: [xs, ...ys],
    series: nodes.map(n => ({ label: `node ${n.index}`, stroke: nodeColor(n.index), width: 1.5, spanGaps: true, points: { show: true, size: 6 } }))
  }
}

/** Milliseconds of each phase per round for one node. */
export function phaseData (node: NodeView): { data: UPlot.AlignedData, series: UPlot.Series[] } {
  const r = node.rounds
  return {
    data: [r.map(p => p.round), r.map(p => p.generateMs), r.map(p => p.scoreMs), r.map(p => p.trainMs), r.map(p => p.checkpointMs)],
    series: [
      { label: 'generate', stroke: '#3366cc' },
      { label: 'score + share + sample', stroke: '#ff9900' },
      { label: 'train', stroke: '#109618' },
      { label: 'checkpoint', stroke: '#990099' }
    ]
  }
}

/** Peer groups available and used per round, and their median age when used, for one node. */
export function poolData (node: NodeView): { data: UPlot.AlignedData, series: UPlot.Series[] } {
  const r = node.rounds
  return {
    data: [r.map(p => p.round), r.map(p => p.peerGroupsAvailable), r.map(p => p.peerGroupsUsed), r.map(p => finite(p.groupAgeSeconds))],
    series: [
      { label: 'in pool', stroke: '#3366cc' },
      { label: 'used', stroke: '#109618' },
      { label: 'median age (s)', stroke: '#dc3912', scale: 'age', spanGaps: true }
    ]
  }
}

// The dashboard page: one EventSource (the whole view first, then every change), the same
// state model the server keeps, and a redraw at most every REDRAW_MS.
import type { SwarmView, ViewEvent } from '@murmur/metrics'
import { createSwarmState, type SwarmState } from '../src/state.js'
import { chart, evalData, phaseData, poolData, rewardData } from './charts.js'
import { identityList, nodesTable, peersTable, reasonsTable } from './tables.js'

const REDRAW_MS = 500

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T

const charts = {
  reward: chart('chart-reward', { yLabel: 'reward' }),
  eval: chart('chart-eval', { yLabel: 'accuracy' }),
  phases: chart('chart-phases', { yLabel: 'ms' }),
  pool: chart('chart-pool', { yLabel: 'groups', y2Label: 'seconds', y2Scale: 'age' })
}
const select = $<HTMLSelectElement>('node-select')
const status = $('status')
let state: SwarmState | undefined
let pending: ReturnType<typeof setTimeout> | undefined

function draw (): void {
  pending = undefined
  if (state === undefined) return
  const view = state.view()
  const nodes = view.nodes
  document.title = `murmur — ${view.title}`
  $('title').textContent = view.title
  const lastRound = Math.max(-1, ...nodes.map(n => n.rounds.at(-1)?.round ?? -1))
  $('summary').textContent = `${nodes.length} node${nodes.length === 1 ? '' : 's'} · round ${lastRound < 0 ? '–' : lastRound}`
  const r = rewardData(nodes)
  charts.reward.update(r.data, r.series)
  const e = evalData(nodes)
  charts.eval.update(e.data, e.series)
  nodesTable($('nodes-table'), view)
  syncSelect(view)
  const node = nodes.find(n => String(n.index) === select.value) ?? nodes[0]
  if (node === undefined) return
  const p = phaseData(node)
  charts.phases.update(p.data, p.series)
  const q = poolData(node)
  charts.pool.update(q.data, q.series)
  const names = new Map(nodes.map(n => [n.peerId, `node ${n.index}`]))
  peersTable($('peers-table'), node, names, Date.now())
  reasonsTable($('reasons-table'), node)
  identityList($('identity'), node)
  $('config').textContent = JSON.stringify(node.config, null, 2)
}

function syncSelect (view: SwarmView): void {
  const want = view.nodes.map(n => String(n.index))
  const have = [...select.options].map(o => o.value)
  if (want.join() === have.join()) return
  const keep = select.value
  select.replaceChildren(...want.map(v => {
    const o = document.createElement('option')
    o.value = v
    o.textContent = `node ${v}`
    return o
  }))
  if (want.includes(keep)) select.value = keep
}

function schedule (): void {
  pending ??= setTimeout(draw, REDRAW_MS)
}

function connect (): void {
  const source = new EventSource('/api/events')
  source.addEventListener('view', (ev: MessageEvent<string>) => {
    const view = JSON.parse(ev.data) as SwarmView
    state = createSwarmState({ title: view.title })
    for (const n of view.nodes) state.apply({ type: 'node', node: n.index, view: n })
    status.textContent = 'live'
    status.className = 'status live'
    draw()
  })
  source.addEventListener('change', (ev: MessageEvent<string>) => {
    state?.apply(JSON.parse(ev.data) as ViewEvent)
    schedule()
  })
  source.addEventListener('error', () => {
    status.textContent = 'reconnecting…'
    status.className = 'status down'
  })
}

select.addEventListener('change', draw)
window.addEventListener('resize', () => { for (const c of Object.values(charts)) c.resize() })
connect()

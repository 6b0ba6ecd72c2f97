// The page's tables. Peer ids and reasons come from the network: they are only ever set as
// text, never parsed as HTML.
import type { NodeView, SwarmView } from '@murmur/metrics'

type Cell = string | number | { text: string, title?: string, className?: string }

/** Replaces `table`'s content with a header row and rows of cells. */
export function fillTable (table: HTMLTableElement, headers: string[], rows: Cell[][]): void {
  const head = document.createElement('tr')
  for (const h of headers) {
    const th = document.createElement('th')
    th.textContent = h
    head.append(th)
  }
  const body = rows.map(cells => {
    const tr = document.createElement('tr')
    for (const c of cells) {
      const td = document.createElement('td')
      if (typeof c === 'object') {
        td.textContent = c.text
        if (c.title !== undefined) td.title = c.title
        if (c.className !== undefined) td.className = c.className
      } else {
        td.textContent = String(c)
      }
      tr.append(td)
    }
    return tr
  })
  table.replaceChildren(head, ...body)
}

/** A number with `digits` decimals, or a dash. */
export function fmt (v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits)
}

function shortId (peerId: string): { text: string, title: string, className: string } {
  return { text: peerId === '' ? '–' : `…${peerId.slice(-8)}`, title: peerId, className: 'id' }
}

function recentReward (n: NodeView, w = 10): number | undefined {
  const pts = n.rounds.slice(-w).map(p => p.reward).filter(v => v !== null && Number.isFinite(v))
  return pts.length === 0 ? undefined : pts.reduce((a, b) => a + b, 0) / pts.length
}

/** One row per node. */
export function nodesTable (table: HTMLTableElement, view: SwarmView): void {
  fillTable(table, ['node', 'peer id', 'round', 'reward (last 10)', 'held-out', 'peers', 'mesh', 'pool', 'peer groups used', 'rejected', 'restarts'], view.nodes.map(n => [
    `node ${n.index}`,
    shortId(n.peerId),
    n.rounds.at(-1)?.round ?? '–',
    fmt(recentReward(n)),
    fmt(n.evals.at(-1)?.accuracy),
    n.live?.peers ?? '–',
    n.live?.meshPeers ?? '–',
    n.live?.pool.peerGroups ?? '–',
    n.rounds.reduce((a, p) => a + p.peerGroupsUsed, 0),
    n.live?.totals.rejected ?? '–',
    n.restarts
  ]))
}

/** The peers one node knows, with how many of their groups it accepted and used. */
export function peersTable (table: HTMLTableElement, node: NodeView, names: ReadonlyMap<string, string>, now: number): void {
  fillTable(table, ['peer', 'accepted', 'used', 'ignored', 'rejected', 'throttled', 'last seen'], (node.live?.peerTable ?? []).map(p => [
    { ...shortId(p.peerId), text: names.get(p.peerId) ?? shortId(p.peerId).text },
    p.accepted, p.used, p.ignored, p.rejected, p.throttled,
    p.lastSeen === 0 ? '–' : `${Math.max(0, Math.round((now - p.lastSeen) / 1000))} s ago`
  ]))
}

/** Gossip messages one node did not accept, by reason, with the totals by verdict. */
export function reasonsTable (table: HTMLTableElement, node: NodeView): void {
  const rows: Cell[][] = []
  const live = node.live
  if (live !== undefined) {
    for (const [reason, n] of Object.entries(live.reasons).sort((a, b) => b[1] - a[1])) rows.push([reason, n])
    const t = live.totals
    rows.push([{ text: `totals: ${t.rejected} rejected, ${t.ignored} ignored, ${t.throttled} throttled, ${t.dropped} dropped`, className: 'muted' }, ''])
  }
  fillTable(table, ['reason', 'messages'], rows)
}

/** Peer id, addresses and a few facts of one node. */
export function identityList (dl: HTMLElement, node: NodeView): void {
  const config = (node.config ?? {}) as { model?: string, net?: { swarmId?: string }, dataDir?: string }
  const entries: Array<[string, string]> = [
    ['peer id', node.peerId],
    ['addresses', node.addrs.join('\n') || '(networking off)'],
    ['swarm', config.net?.swarmId ?? '–'],
    ['model', config.model ?? '–'],
    ['data directory', config.dataDir ?? '–'],
    ['memory (RSS)', node.live === undefined ? '–' : `${(node.live.memory.rss / 2 ** 20).toFixed(0)} MiB`],
    ['bytes in / out', node.live === undefined ? '–' : `${node.live.bytes.in} / ${node.live.bytes.out}`]
  ]
  dl.replaceChildren(...entries.flatMap(([k, v]) => {
    const dt = document.createElement('dt')
    dt.textContent = k
    const dd = document.createElement('dd')
    dd.textContent = v
    return [dt, dd]
  }))
}

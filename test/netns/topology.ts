/**
 * A small internet in Linux network namespaces, for the multi-host test. Every name starts with
 * a per-run prefix so that parallel runs never collide and teardown removes exactly what this
 * run made. Layout: a switch namespace with a bridge (the "internet", 11.77.0.0/24 — a public
 * range, so libp2p treats it as public; no namespace has a route out of the test's world); hosts
 * on it get a veth into the bridge; a NAT'd site is a router namespace (WAN on the bridge,
 * masquerade with nftables, no inbound to the LAN unless conntrack knows the flow) and a host
 * behind it on a private /24.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/** The public network. */
export const PUBLIC_PREFIX = '11.77.0'

function sh (args: string[], input?: string): void {
  const r = spawnSync(args[0], args.slice(1), { stdio: ['pipe', 'ignore', 'pipe'], input, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${(r.stderr ?? '').trim()}`)
}

/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable (): string | undefined {
  if (process.platform !== 'linux') return 'not Linux'
  if (process.getuid?.() !== 0) return 'not root (network namespaces need CAP_SYS_ADMIN)'
  for (const tool of ['ip', 'nft']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `"${tool}" is not installed (apt-get install iproute2 nftables)`
  }
  const probe = `mmprobe${randomBytes(3).toString('hex')}`
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' })
  if (add.status !== 0) return `ip netns add failed: ${(add.stderr ?? '').trim()}`
  spawnSync('ip', ['netns', 'del', probe])
  return undefined
}

/** The namespaces and addresses of one run. */
export class Topology {
  readonly prefix: string
  private readonly namespaces: string[] = []
  private readonly sw: string
  private links = 0

  constructor () {
    this.prefix = `mm${randomBytes(3).toString('hex')}`
    this.sw = this.ns('sw')
  }

  /** Creates the switch (bridge) namespace. */
  create (): void {
    this.add(this.sw)
    sh(['ip', '-n', this.sw, 'link', 'add', 'br0', 'type', 'bridge'])
    sh(['ip', '-n', this.sw, 'link', 'set', 'br0', 'up'])
  }

  /** Namespace name for a role. */
  ns (role: string): string { return `${this.prefix}-${role}` }

  /** A host on the public network at `PUBLIC_PREFIX.<octet>`; returns its namespace. */
  publicHost (role: string, octet: number): string {
    const ns = this.ns(role)
    this.add(ns)
    this.plug(ns, 'eth0', `${PUBLIC_PREFIX}.${octet}/24`)
    return ns
  }

  /** A router with WAN `PUBLIC_PREFIX.<octet>` masquerading LAN 10.<site>.0.0/24, and a host 10.<site>.0.2 behind it. */
  natSite (role: string, site: number, octet: number): string {
    const router = this.ns(`${role}r`)
    const host = this.ns(role)
    this.add(router)
    this.add(host)
    this.plug(router, 'wan', `${PUBLIC_PREFIX}.${octet}/24`)
    const a = `${this.prefix}l${this.links++}`
    sh(['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', `${a}p`])
    sh(['ip', 'link', 'set', a, 'netns', router])
    sh(['ip', 'link', 'set', `${a}p`, 'netns', host])
    sh(['ip', '-n', router, 'link', 'set', a, 'name', 'lan'])
    sh(['ip', '-n', host, 'link', 'set', `${a}p`, 'name', 'eth0'])
    sh(['ip', '-n', router, 'addr', 'add', `10.${site}.0.1/24`, 'dev', 'lan'])
    sh(['ip', '-n', router, 'link', 'set', 'lan', 'up'])
    sh(['ip', '-n', host, 'addr', 'add', `10.${site}.0.2/24`, 'dev', 'eth0'])
    sh(['ip', '-n', host, 'link', 'set', 'eth0', 'up'])
    sh(['ip', '-n', host, 'route', 'add', 'default', 'via', `10.${site}.0.1`])
    sh(['ip', 'netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
    sh(['ip', 'netns', 'exec', router, 'nft', '-f', '-'], `
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat;
    oifname "wan" masquerade
  }
}
table ip filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
    iifname "lan" oifname "wan" accept
    iifname "wan" oifname "lan" ct state established,related accept
  }
}
`)
    return host
  }

  /** Kills what still runs inside this run's namespaces, then removes them (their veths go too). Never throws. */
  destroy (): void {
    for (const ns of this.namespaces.splice(0).reverse()) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? ''
      for (const pid of pids.split(/\s+/).filter(p => /^\d+$/.test(p))) {
        try { process.kill(Number(pid), 'SIGKILL') } catch { /* already gone */ }
      }
      spawnSync('ip', ['netns', 'del', ns])
    }
  }

  private add (ns: string): void {
    sh(['ip', 'netns', 'add', ns])
    this.namespaces.push(ns)
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
  }

  private plug (ns: string, ifname: string, cidr: string): void {
    const a = `${this.prefix}l${this.links++}`
    sh(['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', `${a}p`])
    sh(['ip', 'link', 'set', a, 'netns', this.sw])
    sh(['ip', 'link', 'set', `${a}p`, 'netns', ns])
    sh(['ip', '-n', this.sw, 'link', 'set', a, 'master', 'br0'])
    sh(['ip', '-n', this.sw, 'link', 'set', a, 'up'])
    sh(['ip', '-n', ns, 'link', 'set', `${a}p`, 'name', ifname])
    sh(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', ifname])
    sh(['ip', '-n', ns, 'link', 'set', ifname, 'up'])
  }
}

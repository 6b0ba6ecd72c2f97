/**
 * Static checks of the deployment files in infra/ (no container runtime or cluster exists here):
 * every file parses; required fields are there; every CLI flag the files pass exists (read from
 * the built CLI's --help); ports and data directories agree with the flags (what the bootstrap
 * listens on is what the image exposes, compose publishes and the Service targets; every
 * --data-dir lies on a volume); swarm files parse and point at the bootstrap's ports.
 */
import { execFileSync } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import { parseSwarmFile } from '@murmur/net'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const INFRA = join(ROOT, 'infra')
const BIN = join(ROOT, 'apps/cli/dist/bin.js')

/** Flags a CLI command accepts, read from its --help. */
function cliFlags (command: string): Set<string> {
  const help = execFileSync(process.execPath, [BIN, command, '--help'], { encoding: 'utf8' })
  return new Set([...help.matchAll(/--([a-z][a-z0-9-]*)/g)].map(m => m[1]))
}
const FLAGS: Record<string, Set<string>> = { bootstrap: cliFlags('bootstrap'), node: cliFlags('node') }

/** Checks a murmur argv (`[command, ...flags]`) against the CLI; returns flag → value. */
function checkArgs (argv: string[]): Map<string, string> {
  const [command, ...rest] = argv
  expect(Object.keys(FLAGS)).toContain(command)
  const values = new Map<string, string>()
  for (let i = 0; i < rest.length; i++) {
    const m = /^--(no-)?([a-z][a-z0-9-]*)$/.exec(rest[i])
    expect(m, `"${rest[i]}" is not a flag`).not.toBeNull()
    const name = m![2]
    expect(FLAGS[command].has(name), `murmur ${command} has no --${name}`).toBe(true)
    if (m![1] === undefined && i + 1 < rest.length && !rest[i + 1].startsWith('--')) values.set(name, rest[++i])
    else values.set(name, 'true')
  }
  return values
}

/** The TCP port of a multiaddr like /ip4/0.0.0.0/tcp/4001. */
function tcpPort (addr: string): number {
  const m = /\/tcp\/(\d+)/.exec(addr)
  expect(m, `${addr} has no TCP port`).not.toBeNull()
  return Number(m![1])
}

function underMount (path: string, mounts: string[]): boolean {
  return mounts.some(m => path === m || path.startsWith(m.endsWith('/') ? m : m + '/'))
}

/** Dockerfile instructions (continuations joined, comments dropped). */
function dockerfile (text: string): Array<{ op: string, args: string }> {
  const joined = text.split('\n').filter(l => !l.trimStart().startsWith('#')).join('\n').replace(/\\\n/g, ' ')
  return joined.split('\n').map(l => l.trim()).filter(l => l !== '').map(l => {
    const [op, ...args] = l.split(/\s+/)
    return { op: op.toUpperCase(), args: args.join(' ') }
  })
}

describe('infra/', () => {
  it('Dockerfile: multi-stage on Node 22, non-root, tini, health check, /data volume, bootstrap ports exposed', async () => {
    const ins = dockerfile(await readFile(join(INFRA, 'Dockerfile'), 'utf8'))
    const from = ins.filter(i => i.op === 'FROM')
    expect(from.length).toBeGreaterThanOrEqual(2)
    for (const f of from) expect(f.args).toMatch(/^node:22[-.]/)
    expect(ins.some(i => i.op === 'COPY' && i.args.includes('--from=build'))).toBe(true)
    const user = ins.filter(i => i.op === 'USER').at(-1)?.args
    expect(user).toBeDefined()
    expect(['root', '0']).not.toContain(user)
    expect(ins.find(i => i.op === 'VOLUME')?.args).toContain('/data')
    expect(ins.find(i => i.op === 'HEALTHCHECK')?.args).toContain('healthcheck.mjs')
    const entry = JSON.parse(ins.find(i => i.op === 'ENTRYPOINT')?.args ?? '[]') as string[]
    expect(entry[0]).toMatch(/tini$/)
    expect(entry.slice(-1)[0]).toMatch(/apps\/cli\/dist\/bin\.js$/)
    const cmd = checkArgs(JSON.parse(ins.find(i => i.op === 'CMD')?.args ?? '[]') as string[])
    const exposed = (ins.find(i => i.op === 'EXPOSE')?.args ?? '').split(/\s+/).map(Number)
    expect(exposed).toEqual(expect.arrayContaining([tcpPort(cmd.get('listen') ?? ''), Number(cmd.get('http-port'))]))
    expect(underMount(cmd.get('data-dir') ?? '', ['/data'])).toBe(true)
    // Every COPY source of the build stage exists in the repository.
    for (const c of ins.filter(i => i.op === 'COPY' && !i.args.includes('--from'))) {
      const parts = c.args.split(/\s+/).filter(p => !p.startsWith('--'))
      for (const src of parts.slice(0, -1)) await expect(readFile(join(ROOT, src)).catch(async () => await readdir(join(ROOT, src)))).resolves.toBeDefined()
    }
  })

  it('compose.yaml: bootstrap + nodes, restart unless-stopped, flags, ports and volumes consistent', async () => {
    const compose = parseYaml(await readFile(join(INFRA, 'compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, { command: string[], restart?: string, ports?: string[], volumes?: string[] }>, volumes: Record<string, unknown>
    }
    const services = Object.entries(compose.services)
    const boot = services.filter(([, s]) => s.command[0] === 'bootstrap')
    const nodes = services.filter(([, s]) => s.command[0] === 'node')
    expect(boot.length).toBe(1)
    expect(nodes.length).toBeGreaterThanOrEqual(2)
    const dataDirs = new Set<string>()
    for (const [name, s] of services) {
      expect(s.restart, name).toBe('unless-stopped')
      const args = checkArgs(s.command)
      const mounts = (s.volumes ?? []).map(v => v.split(':'))
      for (const [src] of mounts) if (!src.startsWith('.')) expect(Object.keys(compose.volumes), `${name}: volume ${src}`).toContain(src)
      expect(underMount(args.get('data-dir') ?? '', mounts.map(m => m[1])), `${name}: --data-dir on a volume`).toBe(true)
      const named = mounts.filter(([src]) => !src.startsWith('.')).map(([src]) => src)
      for (const v of named) { expect(dataDirs.has(v), `${name} shares volume ${v}`).toBe(false); dataDirs.add(v) }
      const swarmFile = args.get('swarm')
      expect(swarmFile, `${name}: --swarm`).toBeDefined()
      const mount = mounts.find(([, target]) => underMount(swarmFile!, [target]))
      expect(mount, `${name}: swarm file mounted`).toBeDefined()
      const local = join(INFRA, mount![0], swarmFile!.slice(mount![1].length))
      const swarm = parseSwarmFile(JSON.parse(await readFile(local, 'utf8')), local)
      if (s.command[0] === 'node') {
        const bootArgs = checkArgs(boot[0][1].command)
        expect(swarm.bootstrap.map(tcpPort)).toContain(tcpPort(bootArgs.get('listen') ?? ''))
        expect(swarm.bootstrapUrls.some(u => u.startsWith(`http://${boot[0][0]}:${bootArgs.get('http-port')}/`))).toBe(true)
      }
    }
    const bootArgs = checkArgs(boot[0][1].command)
    const published = (boot[0][1].ports ?? []).map(p => Number(p.split(':').at(-1)))
    expect(published).toEqual(expect.arrayContaining([tcpPort(bootArgs.get('listen') ?? ''), Number(bootArgs.get('http-port'))]))
  })

  /* eslint-disable @typescript-eslint/no-explicit-any -- parsed manifests are walked by path; their shape is what this test checks */
  it('Kubernetes: bootstrap Deployment + Service, nodes StatefulSet with volume claims, ports and mounts consistent', async () => {
    const docs: Array<Record<string, any>> = []
    for (const f of await readdir(join(INFRA, 'k8s'))) {
      for (const d of parseAllDocuments(await readFile(join(INFRA, 'k8s', f), 'utf8'))) {
        expect(d.errors, f).toEqual([])
        docs.push(d.toJS() as Record<string, any>)
      }
    }
    for (const d of docs) {
      expect(typeof d.apiVersion).toBe('string')
      expect(typeof d.kind).toBe('string')
      expect(typeof d.metadata?.name).toBe('string')
    }
    const byKind = (kind: string): Array<Record<string, any>> => docs.filter(d => d.kind === kind)
    const deployment = byKind('Deployment').find(d => d.spec.template.spec.containers[0].args[0] === 'bootstrap')
    const statefulSet = byKind('StatefulSet').find(d => d.spec.template.spec.containers[0].args[0] === 'node')
    expect(deployment).toBeDefined()
    expect(statefulSet).toBeDefined()
    expect(statefulSet!.spec.volumeClaimTemplates.length).toBeGreaterThan(0)
    expect(byKind('Service').some(s => s.metadata.name === statefulSet!.spec.serviceName)).toBe(true)

    const configMap = byKind('ConfigMap')[0]
    const swarm = parseSwarmFile(JSON.parse(configMap.data['swarm.json'] as string), 'configmap')
    for (const workload of [deployment!, statefulSet!]) {
      const pod = workload.spec.template.spec
      expect(pod.securityContext.runAsNonRoot).toBe(true)
      const selector = workload.spec.selector.matchLabels as Record<string, string>
      for (const [k, v] of Object.entries(selector)) expect(workload.spec.template.metadata.labels[k]).toBe(v)
      const c = pod.containers[0]
      const args = checkArgs(c.args as string[])
      const mounts = (c.volumeMounts as Array<{ name: string, mountPath: string }>)
      expect(underMount(args.get('data-dir') ?? '', mounts.map(m => m.mountPath))).toBe(true)
      const volumeNames = [...(pod.volumes ?? []).map((v: { name: string }) => v.name), ...(workload.spec.volumeClaimTemplates ?? []).map((v: { metadata: { name: string } }) => v.metadata.name)]
      for (const m of mounts) expect(volumeNames).toContain(m.name)
      expect(underMount(args.get('swarm') ?? '', mounts.map(m => m.mountPath))).toBe(true)
      const ports = new Map((c.ports as Array<{ name: string, containerPort: number }>).map(p => [p.name, p.containerPort]))
      const listen = args.get('listen') ?? args.get('net-listen') ?? swarm.listen?.[0] ?? ''
      expect([...ports.values()]).toContain(tcpPort(listen))
      if (args.has('http-port')) {
        expect(ports.get('http')).toBe(Number(args.get('http-port')))
        expect(c.readinessProbe.httpGet.path).toBe('/health')
      }
      // Every Service that selects this workload targets ports the container declares.
      for (const svc of byKind('Service').filter(s => Object.entries(s.spec.selector as Record<string, string>).every(([k, v]) => selector[k] === v))) {
        for (const p of svc.spec.ports as Array<{ targetPort: string | number }>) {
          expect(typeof p.targetPort === 'string' ? ports.has(p.targetPort) : [...ports.values()].includes(p.targetPort)).toBe(true)
        }
      }
    }
    // The swarm file points at the bootstrap Service's ports.
    const bootSvc = byKind('Service').find(s => s.spec.selector['app.kubernetes.io/name'] === deployment!.spec.selector.matchLabels['app.kubernetes.io/name'])!
    const svcPorts = (bootSvc.spec.ports as Array<{ port: number }>).map(p => p.port)
    for (const a of swarm.bootstrap) { expect(a).toContain(`/${bootSvc.metadata.name as string}/`); expect(svcPorts).toContain(tcpPort(a)) }
    for (const u of swarm.bootstrapUrls) expect(svcPorts).toContain(Number(new URL(u).port))
  })

  /* eslint-enable @typescript-eslint/no-explicit-any */
  it('systemd unit: sections, ExecStart runs murmur node with known flags, restarts, non-root', async () => {
    const text = await readFile(join(INFRA, 'systemd', 'murmur-node.service'), 'utf8')
    const sections = new Map<string, Map<string, string>>()
    let current: Map<string, string> | undefined
    for (const raw of text.split('\n')) {
      const line = raw.trim()
      if (line === '' || line.startsWith('#')) continue
      const section = /^\[(\w+)\]$/.exec(line)
      if (section !== null) { current = new Map(); sections.set(section[1], current); continue }
      const kv = /^(\w+)=(.*)$/.exec(line)
      expect(kv, `bad line: ${line}`).not.toBeNull()
      expect(current, 'key outside a section').toBeDefined()
      current!.set(kv![1], kv![2])
    }
    expect([...sections.keys()]).toEqual(['Unit', 'Service', 'Install'])
    const service = sections.get('Service')!
    expect(['on-failure', 'always']).toContain(service.get('Restart'))
    expect(service.get('User')).toBeDefined()
    expect(service.get('User')).not.toBe('root')
    const exec = (service.get('ExecStart') ?? '').split(/\s+/)
    const bin = exec.findIndex(a => a.endsWith('apps/cli/dist/bin.js'))
    expect(bin).toBeGreaterThan(0)
    const args = checkArgs(exec.slice(bin + 1))
    expect(underMount(args.get('data-dir') ?? '', (service.get('ReadWritePaths') ?? '').split(/\s+/))).toBe(true)
    expect(sections.get('Install')!.get('WantedBy')).toBe('multi-user.target')
  })

  it('every shipped swarm file parses', async () => {
    for (const f of await readdir(join(INFRA, 'swarm'))) {
      const path = join(INFRA, 'swarm', f)
      expect(parseSwarmFile(JSON.parse(await readFile(path, 'utf8')), path).id).toMatch(/^[a-z]/)
    }
  })
})

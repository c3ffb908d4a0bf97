// Benchmark (not a test): this binding against the npm package `proxmox-api` (pinned in
// devDependencies) and plain undici, against the same loopback simulator, in one run.
//
//   node bench/bench.mjs [--guests 20000] [--rounds 5] [--passes 3]
//
// 1. `GET /cluster/resources?type=vm` with 20,000 guests, decoded into objects: each client runs
//    in its own child processes (so peak RSS is its own), `--passes` times in alternation with the
//    others, each with one warm-up and `--rounds` timed rounds; prints the median time of all
//    rounds and the highest peak RSS, and the ratios against `proxmox-api` and undici. Every
//    client asks for gzip the same way it would in use: fetch (used by `proxmox-api`) sends
//    `accept-encoding: gzip, deflate`, the binding's core `gzip`; the bare undici request sends
//    none and gets the plain text, so it shows the floor of one HTTP read plus one JSON.parse.
//    Peak RSS is the child's own high-water mark (VmHWM in /proc/self/status), not
//    `resourceUsage().maxRSS`: Linux keeps that across exec, so a child reports at least the
//    parent's RSS, and the parent holds a 20,000-guest simulator.
// 2. The status of 16 nodes that each answer 20 ms late, through the natural call
//    (`client.nodes().statusAll()`, default settings), against the 20 ms floor.
import { spawn } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'

const SELF = fileURLToPath(import.meta.url)
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}

/** This process's own peak RSS in MiB. */
function peakRssMiB() {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'))
    if (line) return Number(line.split(/\s+/)[1]) / 1024
  } catch {}
  return process.resourceUsage().maxRSS / 1024 // not Linux
}

const environment = () => `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ${cpus().length} CPUs`

/** Which addon runs: its size, and whether it is stripped (only the shipped `dist` profile
 *  strips symbols; `ci` and `dev` keep them). */
function addonDescription() {
  const require = createRequire(import.meta.url)
  const binding = require.resolve('proxmox-api-native/package.json').replace(/package\.json$/, '')
  const candidates = [`${binding}proxmox-api-native.linux-x64-gnu.node`]
  const path = candidates.find((p) => { try { return statSync(p).isFile() } catch { return false } })
  if (!path) return 'addon not found next to binding.js (installed from a platform package)'
  const data = readFileSync(path)
  const size = `${(data.length / 1048576).toFixed(1)} MiB`
  if (data.readUInt32BE(0) !== 0x7f454c46 || data[4] !== 2) return `${size}, profile unknown (not a 64-bit ELF)`
  const shoff = Number(data.readBigUInt64LE(0x28))
  const shentsize = data.readUInt16LE(0x3a)
  const shnum = data.readUInt16LE(0x3c)
  const shstrndx = data.readUInt16LE(0x3e)
  const namesAt = Number(data.readBigUInt64LE(shoff + shstrndx * shentsize + 0x18))
  let symbols = false
  for (let i = 0; i < shnum; i++) {
    const at = namesAt + data.readUInt32LE(shoff + i * shentsize)
    if (data.toString('latin1', at, data.indexOf(0, at)) === '.symtab') symbols = true
  }
  return `${size}, ${symbols ? 'has symbols: NOT the shipped `dist` profile' : 'stripped: the shipped `dist` profile'}`
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

// ---------------------------------------------------------------- child: one client, one listing
async function listingChild(kind, rounds) {
  const { url, user, password, fingerprint } = JSON.parse(process.env.BENCH_SIM)
  let list
  if (kind === 'binding') {
    const { Client } = await import('proxmox-api-native')
    const client = new Client({ host: url, user, password }, { fingerprint })
    list = () => client.cluster().resources('vm')
  } else {
    const { Agent } = await import('undici')
    // The simulator's certificate is self-signed; the binding pins it, the others skip the check.
    const dispatcher = new Agent({ connect: { rejectUnauthorized: false } })
    const { host, port } = new URL(url)
    if (kind === 'proxmox-api') {
      const { proxmoxApi } = await import('proxmox-api')
      const { fetch } = await import('undici')
      const pve = proxmoxApi({
        host: host.split(':')[0], port: Number(port), username: user, password,
        fetch: (input, init) => fetch(input, { ...init, dispatcher }),
      })
      list = () => pve.cluster.resources.$get({ type: 'vm' })
    } else {
      const { request } = await import('undici')
      const login = await request(`${url}/api2/json/access/ticket`, {
        method: 'POST', dispatcher,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: user, password }).toString(),
      })
      const { data } = await login.body.json()
      const headers = { cookie: `PVEAuthCookie=${data.ticket}` }
      list = async () => (await (await request(`${url}/api2/json/cluster/resources?type=vm`, { headers, dispatcher })).body.json()).data
    }
  }
  const times = []
  let kept = await list() // warm-up (and login)
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    kept = await list()
    times.push(performance.now() - start)
  }
  const maxRssMiB = peakRssMiB()
  process.stdout.write(JSON.stringify({ kind, count: kept.length, times, maxRssMiB }) + '\n')
}

function runChild(kind, sim, rounds) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--child', kind, '--rounds', String(rounds)], {
      env: { ...process.env, BENCH_SIM: JSON.stringify(sim) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1))) : reject(new Error(`${kind} exited ${code}`))))
  })
}

// ---------------------------------------------------------------- parent
async function main() {
  if (args.includes('--child')) return listingChild(option('child'), Number(option('rounds', 5)))
  const { startSimulator } = await import('proxmox-api-native')
  const guests = Number(option('guests', 20000))
  const rounds = Number(option('rounds', 5))
  const passes = Number(option('passes', 3))
  // Read from the install: `proxmox-api` does not export its package.json.
  const peerVersion = (name) => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version
  console.log(`proxmox-api-native vs proxmox-api ${peerVersion('proxmox-api')} and undici ${peerVersion('undici')}, Node ${process.version}`)
  console.log(`addon: ${addonDescription()}`)
  console.log(`start: ${environment()}\n`)

  console.log(`== /cluster/resources?type=vm, ${guests} guests, median of ${passes} x ${rounds} rounds in alternating processes, highest peak RSS`)
  const big = await startSimulator({ nodes: 3, guests })
  const sim = { url: big.url, user: big.user, password: big.password, fingerprint: big.fingerprint }
  // Alternating processes (A B C A B C ...): this shared VM's speed drifts by up to 2x within
  // minutes, and one long turn per client would compare different machines.
  const kinds = ['binding', 'proxmox-api', 'undici']
  const runs = Object.fromEntries(kinds.map((kind) => [kind, []]))
  for (let pass = 0; pass < passes; pass++) {
    for (const kind of kinds) runs[kind].push(await runChild(kind, sim, rounds))
  }
  const results = {}
  for (const kind of kinds) {
    const r = {
      count: runs[kind].at(-1).count,
      ms: median(runs[kind].flatMap((run) => run.times)),
      maxRssMiB: Math.max(...runs[kind].map((run) => run.maxRssMiB)),
    }
    results[kind] = r
    console.log(`${kind.padEnd(12)} ${r.count} guests  ${r.ms.toFixed(1).padStart(7)} ms  peak RSS ${r.maxRssMiB.toFixed(0).padStart(4)} MiB`)
  }
  big.stop()
  const b = results.binding
  for (const peer of ['proxmox-api', 'undici']) {
    const p = results[peer]
    console.log(`binding / ${peer}: time ${(b.ms / p.ms).toFixed(2)}x, peak RSS ${(b.maxRssMiB / p.maxRssMiB).toFixed(2)}x`)
  }
  console.log('target: <= 0.70x of proxmox-api in time and memory')

  console.log('\n== status of 16 nodes, each answering 20 ms late, client.nodes().statusAll() (default settings)')
  const { Client } = await import('proxmox-api-native')
  const wide = await startSimulator({ nodes: 16 })
  const client = new Client({ host: wide.url, user: wide.user, password: wide.password }, { fingerprint: wide.fingerprint })
  await client.nodes().statusAll() // log in, warm the connection pool
  for (let i = 1; i <= 16; i++) wide.setNodeLatency(`pve${i}`, 20)
  const times = []
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    const all = await client.nodes().statusAll()
    times.push(performance.now() - start)
    if (Object.values(all).some((r) => !r.ok)) throw new Error('a node failed')
  }
  const natural = median(times)
  const wideTimes = []
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    await client.fanOut(16).status()
    wideTimes.push(performance.now() - start)
  }
  wide.stop()
  console.log(`statusAll(): ${natural.toFixed(1)} ms = ${(natural / 20).toFixed(2)}x of 20 ms (target <= 1.30x)`)
  console.log(`fanOut(16).status(): ${median(wideTimes).toFixed(1)} ms = ${(median(wideTimes) / 20).toFixed(2)}x of 20 ms`)
  console.log(`\nend: ${environment()}`)
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})

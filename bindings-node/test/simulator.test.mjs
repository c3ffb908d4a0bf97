// End to end against the real simulator binary: login, typed results, the raw escape hatch, error
// mapping (authentication, TLS, parameter validation, API errors) and secrets kept out of output.
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { after, before, describe, it } from 'node:test'

import { Client } from '../index.js'
import { startSimulator } from './support/simulator.mjs'

const CANARY_PASSWORD = 'canary-sim-pw-3c5d9e71'
const WRONG_PASSWORD = 'canary-wrong-pw-88f0a2b4'
// A well-formed SHA-256 fingerprint that no generated certificate will have.
const WRONG_FINGERPRINT = Array.from({ length: 32 }, () => 'AB').join(':')

let sim
const seenErrors = []

before(async () => {
  sim = await startSimulator({ password: CANARY_PASSWORD, nodes: 3 })
})

after(async () => {
  await sim?.stop()
})

function pinnedClient(login = {}) {
  return new Client({ host: sim.url, user: sim.user, password: sim.password, ...login }, { fingerprint: sim.fingerprint })
}

/** Awaits a rejection, checks it is a ProxmoxError with `code`, and keeps it for the secret scan. */
async function rejection(promise, code) {
  try {
    await promise
  } catch (error) {
    seenErrors.push(error)
    assert.ok(error instanceof Error, inspect(error))
    assert.equal(error.name, 'ProxmoxError')
    assert.equal(error.code, code, `${error.code}: ${error.message}`)
    return error
  }
  assert.fail(`expected a ${code} rejection`)
}

function printable(value) {
  const parts = [inspect(value, { showHidden: true, depth: 10, getters: true }), String(value)]
  if (value instanceof Error) {
    parts.push(value.stack ?? '', JSON.stringify(Object.getOwnPropertyNames(value).map((k) => value[k])))
  }
  return parts.join('\n')
}

describe('against the simulator', () => {
  it('prints a ready line with the password it was given', () => {
    assert.equal(sim.password, CANARY_PASSWORD)
    assert.match(sim.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
  })

  it('version() resolves to the typed version, the same as the raw GET /version', async () => {
    const client = pinnedClient()
    const version = await client.version()
    assert.match(version.release, /^\d+\.\d+$/)
    assert.ok(version.version.startsWith(version.release), `${version.version} vs ${version.release}`)
    assert.ok(version.repoid.length > 0)
    const raw = await client.request('GET', '/version')
    assert.equal(raw.version, version.version)
    assert.equal(raw.repoid, version.repoid)
  })

  it('nodes() lists pve1..pve3 online with their metrics', async () => {
    const nodes = await pinnedClient().nodes()
    assert.deepEqual(nodes.map((n) => n.node).sort(), ['pve1', 'pve2', 'pve3'])
    for (const node of nodes) {
      assert.equal(node.status, 'online')
      assert.equal(node.online, true)
      assert.ok(node.maxmem > 0 && node.mem <= node.maxmem, inspect(node))
      assert.ok(node.maxcpu >= 1, inspect(node))
      assert.ok(node.cpu >= 0 && node.cpu <= 1, inspect(node))
    }
  })

  it('request() passes query parameters and returns the data', async () => {
    const resources = await pinnedClient().request('GET', '/cluster/resources', { type: 'node' })
    assert.ok(Array.isArray(resources))
    assert.deepEqual(resources.map((r) => r.type), ['node', 'node', 'node'])
  })

  it('many concurrent calls on one client all succeed', async () => {
    const client = pinnedClient()
    const results = await Promise.all(Array.from({ length: 40 }, () => client.nodes()))
    for (const nodes of results) assert.equal(nodes.length, 3)
  })

  it('an API token logs in with the token header', async () => {
    const client = pinnedClient()
    const created = await client.request('POST', '/access/users/root@pam/token/node-binding', { privsep: false })
    assert.equal(created['full-tokenid'], 'root@pam!node-binding')
    const tokenClient = new Client(
      { host: sim.url, tokenId: created['full-tokenid'], tokenSecret: created.value },
      { fingerprint: sim.fingerprint },
    )
    const nodes = await tokenClient.nodes()
    assert.equal(nodes.length, 3)
    assert.ok(!printable(tokenClient).includes(created.value))
  })

  it('a wrong password rejects with PROXMOX_AUTHENTICATION (401, sent, not retry-safe)', async () => {
    const error = await rejection(pinnedClient({ password: WRONG_PASSWORD }).version(), 'PROXMOX_AUTHENTICATION')
    assert.equal(error.status, 401)
    assert.equal(error.sent, true)
    assert.equal(error.retrySafe, false)
    assert.ok(!printable(error).includes(WRONG_PASSWORD))
  })

  it('an unpinned self-signed certificate rejects with PROXMOX_TLS before anything is sent', async () => {
    const client = new Client({ host: sim.url, user: sim.user, password: sim.password })
    const error = await rejection(client.nodes(), 'PROXMOX_TLS')
    assert.equal(error.sent, false)
    assert.equal(error.status, null)
  })

  it('a wrong pin rejects with PROXMOX_TLS naming both fingerprints', async () => {
    const client = new Client(
      { host: sim.url, user: sim.user, password: sim.password },
      { fingerprint: WRONG_FINGERPRINT },
    )
    const error = await rejection(client.version(), 'PROXMOX_TLS')
    assert.deepEqual(error.expected, [WRONG_FINGERPRINT])
    assert.equal(error.presented, sim.fingerprint)
    assert.ok(error.message.includes(sim.fingerprint), error.message)
  })

  it('dangerAcceptInvalidCerts connects without a pin', async () => {
    const client = new Client(
      { host: sim.url, user: sim.user, password: sim.password },
      { dangerAcceptInvalidCerts: true },
    )
    assert.equal((await client.nodes()).length, 3)
  })

  it('a parameter PVE refuses rejects with PROXMOX_INVALID_PARAMETERS and the per-parameter map', async () => {
    const error = await rejection(
      pinnedClient().request('POST', '/nodes/pve1/lxc', {
        vmid: 5,
        ostemplate: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst',
        cores: 'many',
      }),
      'PROXMOX_INVALID_PARAMETERS',
    )
    assert.equal(error.status, 400)
    assert.equal(error.sent, true)
    assert.equal(error.retrySafe, false)
    assert.deepEqual(Object.keys(error.errors).sort(), ['cores', 'vmid'])
    assert.match(error.errors.cores, /type check \('integer'\) failed/)
    assert.ok(error.errors.vmid.length > 0)
    assert.ok(error.message.includes('cores'), error.message)
  })

  it('a user without privileges gets PROXMOX_PERMISSION_DENIED naming path and privilege', async () => {
    const admin = pinnedClient()
    await admin.request('POST', '/access/users', { userid: 'nobody@pve', password: 'nobody-password-1' })
    const nobody = pinnedClient({ user: 'nobody@pve', password: 'nobody-password-1' })
    const error = await rejection(nobody.request('GET', '/nodes/pve1/status'), 'PROXMOX_PERMISSION_DENIED')
    assert.equal(error.status, 403)
    assert.equal(error.path, '/nodes/pve1')
    assert.equal(error.privilege, 'Sys.Audit')
  })

  it('an offline node rejects with PROXMOX_NODE_UNREACHABLE (595) while the others answer', async () => {
    const client = pinnedClient()
    await sim.control('node-online', { node: 'pve2', online: false })
    try {
      const error = await rejection(client.request('GET', '/nodes/pve2/status'), 'PROXMOX_NODE_UNREACHABLE')
      assert.equal(error.status, 595)
      assert.equal(error.retrySafety, 'after_check')
      const status = await client.request('GET', '/nodes/pve1/status')
      assert.ok(status.memory.total > 0)
    } finally {
      await sim.control('node-online', { node: 'pve2', online: true })
    }
  })

  it('a per-call timeout rejects with PROXMOX_TIMEOUT', async () => {
    const client = pinnedClient()
    await client.version() // log in first, so only the slow call is timed
    await sim.control('latency', { ms: 2000 })
    try {
      const error = await rejection(
        client.request('POST', '/access/users', { userid: 'late@pve' }, { timeoutMs: 200 }),
        'PROXMOX_TIMEOUT',
      )
      assert.equal(error.status, null)
      assert.equal(error.sent, true)
      assert.equal(error.retrySafe, false)
    } finally {
      await sim.control('latency', { ms: 0 })
    }
  })

  it('a second factor without a provider rejects with PROXMOX_TFA_REQUIRED listing the factors', async () => {
    await sim.control('add-user', { userid: 'tfa@pve', password: 'tfa-password-123' })
    await sim.control('enable-totp', { userid: 'tfa@pve' })
    const client = pinnedClient({ user: 'tfa@pve', password: 'tfa-password-123' })
    const error = await rejection(client.version(), 'PROXMOX_TFA_REQUIRED')
    assert.ok(error.factors.includes('totp'), inspect(error.factors))
  })

  it('an unknown path rejects with PROXMOX_API and status 501', async () => {
    const error = await rejection(pinnedClient().request('GET', '/no/such/path'), 'PROXMOX_API')
    assert.equal(error.status, 501)
  })

  it('never shows the password: not in the client, not in any error', () => {
    const client = pinnedClient()
    assert.ok(seenErrors.length >= 4, `only ${seenErrors.length} errors seen`)
    for (const value of [client, ...seenErrors]) {
      const text = printable(value)
      assert.ok(!text.includes(CANARY_PASSWORD), text)
    }
  })
})

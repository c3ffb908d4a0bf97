// The binding without a server: argument checking, the shape of its errors, secrets kept out of
// everything printable. Nothing here opens a connection that could succeed.
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { describe, it } from 'node:test'

import { Client, ProxmoxError, InvalidInputError, ConnectError } from 'proxmox-api-native'

const CANARY_PASSWORD = 'canary-pw-5b8e1f0c'
const CANARY_TOKEN = 'canary-tok-0d9a77e2'

/** Everything a careless program could print about a value. */
function printable(value) {
  const parts = [inspect(value, { showHidden: true, depth: 10, getters: true }), String(value)]
  try {
    parts.push(JSON.stringify(value))
  } catch {
    // Not serialisable: inspect covers it.
  }
  if (value instanceof Error) {
    parts.push(value.stack ?? '', JSON.stringify(Object.getOwnPropertyNames(value).map((k) => value[k])))
  }
  return parts.join('\n')
}

function assertProxmoxError(error, code) {
  assert.ok(error instanceof Error, `not an Error: ${inspect(error)}`)
  assert.ok(error instanceof ProxmoxError, `not a ProxmoxError: ${inspect(error)}`)
  assert.equal(error.name, error.constructor.name)
  assert.equal(error.code, code, `${error.code}: ${error.message}`)
  assert.equal(typeof error.message, 'string')
  assert.equal(typeof error.retrySafe, 'boolean')
  assert.ok(['safe', 'after_check', 'never'].includes(error.retrySafety), error.retrySafety)
  assert.equal(typeof error.sent, 'boolean')
  assert.ok('status' in error)
  return true
}

function thrownBy(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  assert.fail('expected an exception')
}

describe('constructor', () => {
  it('builds a password client and normalises the host to the API base URL', () => {
    const client = new Client({ host: 'pve.example.com', user: 'root@pam', password: CANARY_PASSWORD })
    assert.equal(client.baseUrl, 'https://pve.example.com:8006/api2/json')
  })

  it('keeps an explicit port and accepts a full URL', () => {
    const withPort = new Client({ host: 'pve.example.com:8443', tokenId: 'ci@pve!t', tokenSecret: CANARY_TOKEN })
    assert.equal(withPort.baseUrl, 'https://pve.example.com:8443/api2/json')
    const withUrl = new Client({ host: 'https://10.0.0.5:8006/api2/json', user: 'root@pam', password: 'x' })
    assert.equal(withUrl.baseUrl, 'https://10.0.0.5:8006/api2/json')
  })

  it('refuses missing credentials with PROXMOX_INVALID_INPUT before sending anything', () => {
    const error = thrownBy(() => new Client({ host: 'pve.example.com' }))
    assertProxmoxError(error, 'PROXMOX_INVALID_INPUT')
    assert.ok(error instanceof InvalidInputError)
    assert.equal(error.name, 'InvalidInputError')
    assert.equal(error.sent, false)
    assert.equal(error.status, null)
    assert.equal(error.retrySafe, false)
    assert.deepEqual(Object.keys(error.errors), ['login'])
  })

  it('names the missing half of a credential pair', () => {
    const noPassword = thrownBy(() => new Client({ host: 'h', user: 'root@pam' }))
    assertProxmoxError(noPassword, 'PROXMOX_INVALID_INPUT')
    assert.ok('password' in noPassword.errors)
    const noSecret = thrownBy(() => new Client({ host: 'h', tokenId: 'root@pam!ci' }))
    assertProxmoxError(noSecret, 'PROXMOX_INVALID_INPUT')
    assert.ok('tokenSecret' in noSecret.errors)
    const both = thrownBy(
      () => new Client({ host: 'h', user: 'root@pam', password: 'p', tokenId: 'root@pam!ci', tokenSecret: 's' }),
    )
    assertProxmoxError(both, 'PROXMOX_INVALID_INPUT')
  })

  it('refuses a user without a realm, without echoing the password', () => {
    const error = thrownBy(() => new Client({ host: 'h', user: 'root', password: CANARY_PASSWORD }))
    assertProxmoxError(error, 'PROXMOX_INVALID_INPUT')
    assert.ok(!printable(error).includes(CANARY_PASSWORD))
  })

  it('refuses plain http unless allowed', () => {
    const login = { host: 'http://127.0.0.1:8006', user: 'root@pam', password: 'p' }
    assertProxmoxError(thrownBy(() => new Client(login)), 'PROXMOX_INVALID_INPUT')
    const client = new Client(login, { allowInsecureHttp: true })
    assert.ok(client.baseUrl.startsWith('http://127.0.0.1:8006'))
  })

  it('refuses a malformed fingerprint', () => {
    const error = thrownBy(
      () => new Client({ host: 'h', user: 'root@pam', password: 'p' }, { fingerprint: 'not-a-fingerprint' }),
    )
    assertProxmoxError(error, 'PROXMOX_INVALID_INPUT')
  })

  it('refuses a CA that is not PEM', () => {
    const error = thrownBy(() => new Client({ host: 'h', user: 'root@pam', password: 'p' }, { caPem: 'garbage' }))
    assertProxmoxError(error, 'PROXMOX_INVALID_INPUT')
  })

  it('refuses a zero timeout', () => {
    const error = thrownBy(
      () => new Client({ host: 'h', user: 'root@pam', password: 'p' }, { requestTimeoutMs: 0 }),
    )
    assertProxmoxError(error, 'PROXMOX_INVALID_INPUT')
    assert.ok('requestTimeoutMs' in error.errors)
  })
})

describe('request() input', () => {
  // Port 9 on loopback: nothing is sent because every case fails before the transport.
  const client = new Client({ host: '127.0.0.1:9', user: 'root@pam', password: CANARY_PASSWORD })

  it('rejects an unknown method with PROXMOX_INVALID_INPUT', async () => {
    await assert.rejects(client.request('PATCH', '/version'), (error) => {
      assertProxmoxError(error, 'PROXMOX_INVALID_INPUT')
      assert.ok('method' in error.errors)
      assert.equal(error.sent, false)
      return true
    })
  })

  it('rejects nested objects as parameter values', async () => {
    await assert.rejects(client.request('POST', '/nodes/pve1/lxc', { net0: { bridge: 'vmbr0' } }), (error) => {
      assertProxmoxError(error, 'PROXMOX_INVALID_INPUT')
      assert.ok('net0' in error.errors)
      return true
    })
  })
})

describe('secrets', () => {
  it('are absent from console.log of a client', () => {
    const password = new Client({ host: 'pve.example.com', user: 'root@pam', password: CANARY_PASSWORD })
    const token = new Client({ host: 'pve.example.com', tokenId: 'root@pam!ci', tokenSecret: CANARY_TOKEN })
    for (const client of [password, token]) {
      const text = printable(client)
      assert.ok(!text.includes(CANARY_PASSWORD), text)
      assert.ok(!text.includes(CANARY_TOKEN), text)
    }
  })
})

describe('connection failures', () => {
  it('a refused connection rejects with PROXMOX_CONNECT: not sent, safe to retry', async () => {
    // Port 9 (discard) on loopback has no listener here; the core retries GETs a bounded number
    // of times, then gives up with the connect error.
    const client = new Client({ host: '127.0.0.1:9', user: 'root@pam', password: CANARY_PASSWORD })
    await assert.rejects(client.version(), (error) => {
      assertProxmoxError(error, 'PROXMOX_CONNECT')
      assert.ok(error instanceof ConnectError)
      assert.equal(error.sent, false)
      assert.equal(error.retrySafe, true)
      assert.equal(error.status, null)
      assert.ok(!printable(error).includes(CANARY_PASSWORD))
      return true
    })
  })
})

describe('options objects of generated methods', () => {
  // Port 9 on loopback: nothing is sent because every case fails before the transport.
  const client = new Client({ host: '127.0.0.1:9', user: 'root@pam', password: CANARY_PASSWORD })
  const template = 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst'

  async function refused(promise, member) {
    await assert.rejects(promise, (error) => {
      assertProxmoxError(error, 'PROXMOX_INVALID_INPUT')
      assert.equal(error.sent, false)
      assert.ok(member in error.errors, inspect(error.errors))
      assert.ok(!printable(error).includes(CANARY_PASSWORD))
      return true
    })
  }

  it('containers().create(spec) names the spec member at fault, in camelCase', async () => {
    await refused(client.containers().create({ template }), 'hostname')
    await refused(client.containers().create({ hostname: 'web1' }), 'template')
    await refused(client.containers().create({ hostname: 'web1', template, diskGib: -1 }), 'diskGib')
    await refused(client.containers().create({ hostname: 'web1', template, sshPublicKeys: 'ssh-ed25519 AAAA' }), 'sshPublicKeys')
    await refused(client.containers().create({ hostname: 'web1', template, placement: 'random' }), 'placement')
    await refused(client.containers().create({ hostname: 'web1', template, password: 12345678 }), 'password')
    await refused(client.containers().create('web1'), 'spec')
  })

  it('users().create(username, password, options) checks the positional and the optional fields', async () => {
    await refused(client.users().create('alice', CANARY_PASSWORD, { realm: 5 }), 'realm')
    await refused(client.users().create('alice', CANARY_PASSWORD, 'pve'), 'options')
    await refused(client.users().create(undefined, CANARY_PASSWORD), 'username')
    await refused(client.users().create('alice', 'short'), 'password')
  })
})

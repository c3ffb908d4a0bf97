// Two-factor logins against the simulator's TOTP accounts: the `otp` option, the `onTfa`
// callback (plain value, Promise, throw), the typed errors, and the password and code kept out of
// everything printable. The TOTP codes are computed here (RFC 6238) from the secret the simulator
// hands out, as an authenticator app would.
import assert from 'node:assert/strict'
import { Console } from 'node:console'
import { createHmac } from 'node:crypto'
import { Writable } from 'node:stream'
import { inspect } from 'node:util'
import { after, before, describe, it } from 'node:test'

import {
  startSimulator, Client, AuthenticationError, InvalidInputError, TfaRequiredError,
} from 'proxmox-api-native'

const CANARY_PASSWORD = 'tfa-canary-pw-6c02d9'

let sim

before(async () => {
  sim = await startSimulator({ nodes: 1 })
})

after(() => sim.stop())

/** RFC 4648 base32 (no padding) to bytes. */
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  const out = []
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(char)
    assert.ok(index >= 0, `not base32: ${char}`)
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** RFC 6238 TOTP: HMAC-SHA1, 30-second steps, 6 digits. */
function totp(secretBase32, unixSeconds = Math.floor(Date.now() / 1000)) {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)))
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest()
  const offset = mac[mac.length - 1] & 0x0f
  const binary = mac.readUInt32BE(offset) & 0x7fffffff
  return String(binary % 1_000_000).padStart(6, '0')
}

/** A new simulator user with TOTP enabled: its userid and base32 secret. */
function totpUser(name) {
  const userid = `${name}@pve`
  sim.addUser(userid, CANARY_PASSWORD)
  const secret = sim.enableTotp(userid)
  assert.match(secret, /^[A-Z2-7]+$/)
  return { userid, secret }
}

function clientFor(userid, options = {}) {
  return new Client({ host: sim.url, user: userid, password: CANARY_PASSWORD }, { fingerprint: sim.fingerprint, ...options })
}

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

/** Runs `fn(console)` with a console like the global one whose output is collected. */
async function capturedOutput(fn) {
  let text = ''
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk)
      done()
    },
  })
  await fn(new Console({ stdout: sink, stderr: sink }))
  return text
}

function assertSecretsAbsent(text, ...secrets) {
  for (const secret of [CANARY_PASSWORD, ...secrets]) {
    assert.ok(!text.includes(secret), `a secret leaked into: ${text}`)
  }
}

describe('two-factor login', () => {
  it('without otp or onTfa, a TOTP account rejects with TfaRequiredError naming the factors', async () => {
    const { userid } = totpUser('tfa-none')
    await assert.rejects(clientFor(userid).version(), (error) => {
      assert.ok(error instanceof TfaRequiredError, inspect(error))
      assert.equal(error.code, 'PROXMOX_TFA_REQUIRED')
      assert.ok(error.factors.includes('totp'), error.factors)
      assertSecretsAbsent(printable(error))
      return true
    })
  })

  it('otp logs in once; a second login (tickets expired) needs onTfa and says so', async () => {
    const { userid, secret } = totpUser('tfa-otp')
    const code = totp(secret)
    const client = clientFor(userid, { otp: code })
    const version = await client.version()
    assert.equal(typeof version.release, 'string')
    assertSecretsAbsent(printable(client), code)

    sim.expireTickets()
    await assert.rejects(client.version(), (error) => {
      assert.ok(error instanceof InvalidInputError, inspect(error))
      assert.ok('otp' in error.errors, inspect(error.errors))
      assert.match(error.errors.otp, /onTfa/)
      assertSecretsAbsent(printable(error), code)
      return true
    })
  })

  it('onTfa is asked with the userid and factors at every login, and may return a string', async () => {
    const { userid, secret } = totpUser('tfa-sync')
    const challenges = []
    const client = clientFor(userid, {
      onTfa: (challenge) => {
        challenges.push(challenge)
        return totp(secret)
      },
    })
    assert.equal(challenges.length, 0, 'asked before any call')
    await client.version()
    await client.version()
    assert.equal(challenges.length, 1, 'one login for both calls')
    assert.equal(challenges[0].userid, userid)
    assert.ok(challenges[0].factors.includes('totp'), challenges[0].factors)

    sim.expireTickets()
    await client.version()
    assert.equal(challenges.length, 2, 'the login after the tickets expired asks again')
  })

  it('onTfa may return a Promise (e.g. a prompt)', async () => {
    const { userid, secret } = totpUser('tfa-async')
    const client = clientFor(userid, {
      onTfa: async () => {
        await new Promise((resolve) => setImmediate(resolve))
        return totp(secret)
      },
    })
    const version = await client.version()
    assert.equal(typeof version.release, 'string')
  })

  it('a wrong code rejects with AuthenticationError, without the password or the code in it', async () => {
    const { userid, secret } = totpUser('tfa-wrong')
    const right = totp(secret)
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0')
    for (const options of [{ otp: wrong }, { onTfa: () => wrong }, { onTfa: async () => wrong }]) {
      await assert.rejects(clientFor(userid, options).version(), (error) => {
        assert.ok(error instanceof AuthenticationError, inspect(error))
        assert.equal(error.code, 'PROXMOX_AUTHENTICATION')
        assert.equal(error.retrySafety, 'never')
        assertSecretsAbsent(printable(error), wrong)
        return true
      })
    }
  })

  it('an onTfa that throws, rejects or returns a non-string fails the call with InvalidInputError', async () => {
    const { userid } = totpUser('tfa-broken')
    const canaryCode = '918273'
    const broken = [
      () => {
        throw new Error(`no code (${canaryCode})`)
      },
      async () => {
        throw new Error(`no code (${canaryCode})`)
      },
      () => 918273,
      () => undefined,
    ]
    for (const onTfa of broken) {
      await assert.rejects(clientFor(userid, { onTfa }).version(), (error) => {
        assert.ok(error instanceof InvalidInputError, inspect(error))
        assert.ok('onTfa' in error.errors, inspect(error.errors))
        assertSecretsAbsent(printable(error), canaryCode)
        return true
      })
    }
  })

  it('otp with onTfa, or an onTfa that is not a function, is refused by the constructor', () => {
    for (const options of [{ otp: '123456', onTfa: () => '123456' }, { onTfa: 'not a function' }]) {
      assert.throws(() => clientFor('root@pam', options), (error) => {
        assert.ok(error instanceof InvalidInputError, inspect(error))
        assertSecretsAbsent(printable(error), '123456')
        return true
      })
    }
  })

  it('accounts without a second factor never call onTfa', async () => {
    let asked = false
    const client = sim.client({ onTfa: () => { asked = true; return '000000' } })
    await client.version()
    assert.equal(asked, false)
  })

  it('console output of a TFA client, its login and its errors holds neither password nor code', async () => {
    const { userid, secret } = totpUser('tfa-console')
    const code = totp(secret)
    const output = await capturedOutput(async (console) => {
      const client = clientFor(userid, { onTfa: () => code })
      console.log(client)
      console.log(await client.version())
      const failing = clientFor(userid, { otp: '000000' === code ? '111111' : '000000' })
      console.log(failing)
      try {
        await failing.version()
      } catch (error) {
        console.error(error)
      }
    })
    assert.ok(output.includes('AuthenticationError'), output)
    assertSecretsAbsent(output, code)
  })
})

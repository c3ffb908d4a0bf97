// Parity: every core operation the binding declares (the native `operations()` table) is a
// method or property of the right class, and is declared in index.d.ts. Removing one from the
// Rust classes, or from the typings, fails here.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'

import * as pkg from 'proxmox-api-native'

const require = createRequire(import.meta.url)
const typings = readFileSync(require.resolve('proxmox-api-native/package.json').replace(/package\.json$/, 'index.d.ts'), 'utf8')

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

/** The body of `export declare class Name { ... }` in index.d.ts. */
function declaredClass(name) {
  const start = typings.indexOf(`export declare class ${name} {`)
  assert.ok(start >= 0, `class ${name} missing from index.d.ts`)
  return typings.slice(start, typings.indexOf('\n}\n', start))
}

describe('parity with the core', () => {
  const operations = pkg.operations()

  it('the shared table lists the core operations (at least the 60 handle methods)', () => {
    assert.ok(operations.length >= 60, String(operations.length))
  })

  it('every operation of the shared table exists on its class at runtime', () => {
    const missing = operations
      .filter(({ className, jsName }) => !pkg[className] || !(jsName in pkg[className].prototype))
      .map(({ className, jsName }) => `${className}.${jsName}`)
    assert.deepEqual(missing, [])
  })

  it('the JavaScript names are the camelCase of the Python names', () => {
    assert.deepEqual(operations.filter(({ name, jsName }) => camel(name) !== jsName), [])
  })

  it('every operation is declared in index.d.ts', () => {
    const missing = operations
      .filter(({ className, jsName }) => {
        if (!typings.includes(`export declare class ${className} {`)) return true
        return !new RegExp(`\\n  (get )?${jsName}\\(`).test(declaredClass(className))
      })
      .map(({ className, jsName }) => `${className}.${jsName}`)
    assert.deepEqual(missing, [])
  })

  it('no domain method is typed as unknown or Record<string, unknown>', () => {
    const offenders = typings
      .split('\n')
      .filter((line) => /Promise<(unknown|Record<string, unknown>)/.test(line))
      .filter((line) => !/^\s*(get|post|put|delete|request|requestSegments)\(/.test(line))
    assert.deepEqual(offenders, [])
  })
})

describe('entry points', () => {
  it('the ES module exports what the CommonJS entry exports', async () => {
    const cjs = require('proxmox-api-native')
    const esm = await import('proxmox-api-native')
    const missing = Object.keys(cjs).filter((k) => !['AbortToken', 'registerErrorFactory'].includes(k) && !(k in esm))
    assert.deepEqual(missing, [])
    assert.equal(esm.Client, cjs.Client)
  })
})

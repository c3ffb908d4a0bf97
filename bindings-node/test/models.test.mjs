// The typings of the models match what the addon returns: every model of the shared table
// (`modelShapes()`, from the Rust model table and the TypeScript type of each field's Rust type)
// is an interface of index.d.ts (a class for models holding a secret) with exactly those fields,
// of exactly those types. A field added to, removed from or retyped in the table, or a hand edit
// of ts/models.d.ts that does not follow it, fails here with the list of differences.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'

import * as pkg from 'proxmox-api-native'

const require = createRequire(import.meta.url)
const typings = readFileSync(require.resolve('proxmox-api-native/package.json').replace(/package\.json$/, 'index.d.ts'), 'utf8')

/** The lines of the body of `export <kind> Name {` (without comments), or null. */
function body(kind, name) {
  const opening = `export ${kind} ${name} {\n`
  const start = typings.indexOf(opening)
  if (start < 0) return null
  const end = typings.indexOf('\n}\n', start)
  return typings
    .slice(start + opening.length, end + 1)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
}

/** An interface's fields: `name: type` lines, as a Map name -> type. */
function interfaceFields(name) {
  const lines = body('interface', name)
  if (lines == null) return null
  const fields = new Map()
  for (const line of lines) {
    const match = /^(readonly\s+)?([A-Za-z_$][\w$]*)(\?)?\s*:\s*(.+?);?$/.exec(line)
    assert.ok(match, `interface ${name}: cannot read the line "${line}"`)
    fields.set(match[2], match[3] ? `${match[4]} | undefined` : match[4])
  }
  return fields
}

/** A class's getters and methods without parameters: `get name(): type` / `name(): type`. */
function classMembers(name) {
  const lines = body('declare class', name)
  if (lines == null) return null
  const members = new Map()
  for (const line of lines) {
    const match = /^(?:get\s+)?([A-Za-z_$][\w$]*)\(\)\s*:\s*(.+)$/.exec(line)
    if (match) members.set(match[1], match[2])
  }
  return members
}

/** Types compared as written, except for spacing and `T[]` for `Array<T>`. */
const normalize = (type) => type.replace(/\s+/g, ' ').replace(/([\w$]+)\[\]/g, 'Array<$1>').trim()

/** Every difference between the addon's shapes and index.d.ts, one line each. */
function differences(shapes) {
  const found = []
  for (const shape of shapes) {
    const declared = shape.secret ? classMembers(shape.name) : interfaceFields(shape.name)
    const what = shape.secret ? `class ${shape.name}` : `interface ${shape.name}`
    if (declared == null) {
      found.push(`${what}: missing from index.d.ts`)
      continue
    }
    for (const field of shape.fields) {
      if (!declared.has(field.name)) {
        found.push(`${what}: field ${field.name} (${field.ts}) missing`)
      } else if (normalize(declared.get(field.name)) !== normalize(field.ts)) {
        found.push(`${what}: field ${field.name} is ${declared.get(field.name)}, the addon returns ${field.ts}`)
      }
    }
    // Classes may have more members (`setCookieHeader()`); an interface says what an object has.
    if (!shape.secret) {
      const known = new Set(shape.fields.map((field) => field.name))
      for (const name of declared.keys()) {
        if (!known.has(name)) found.push(`${what}: field ${name} is not returned by the addon`)
      }
    }
  }
  return found
}

describe('model typings', () => {
  const shapes = pkg.modelShapes()

  it('the shared model table lists the models (at least the 38 of the core)', () => {
    assert.ok(shapes.length >= 38, String(shapes.length))
    assert.ok(shapes.every((shape) => shape.fields.length > 0))
  })

  it('every model of the table is declared in index.d.ts with its fields and their types', () => {
    assert.deepEqual(differences(shapes), [])
  })

  it('the check reports a missing field, an extra field and a changed type', () => {
    const summary = shapes.find((shape) => shape.name === 'NodeSummary')
    const altered = {
      ...summary,
      fields: [
        ...summary.fields.filter((field) => field.name !== 'sslFingerprint' && field.name !== 'uptime'),
        { name: 'uptime', ts: 'string' },
        { name: 'notDeclared', ts: 'number' },
      ],
    }
    assert.deepEqual(differences([altered]), [
      'interface NodeSummary: field uptime is number | null, the addon returns string',
      'interface NodeSummary: field notDeclared (number) missing',
      'interface NodeSummary: field sslFingerprint is not returned by the addon',
    ])
  })

  it('a returned object has exactly the fields of its shape, in order', async () => {
    const sim = await pkg.startSimulator({ nodes: 1 })
    try {
      const client = sim.client()
      const expect = (name) => shapes.find((shape) => shape.name === name).fields.map((field) => field.name)
      const [summary] = await client.nodes().list()
      assert.deepEqual(Object.keys(summary), expect('NodeSummary'))
      const status = await client.node(summary.node).status()
      assert.deepEqual(Object.keys(status), expect('NodeStatus'))
      assert.deepEqual(Object.keys(status.memory), expect('MemoryUsage'))
      assert.deepEqual(Object.keys(await client.version()), expect('Version'))
    } finally {
      sim.stop()
    }
  })
})

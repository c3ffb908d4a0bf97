// A long list crosses as a tape (src/list_tape.rs + src/list_reader.js) instead of JSON text.
// The objects must be exactly those of the JSON path: same keys in the same order, same values
// (Object.is, so -0 and 0 differ), null where JSON has null, unknown kinds and nested values as
// PVE sent them. `listPathsForTesting` decodes one PVE answer with the core and converts it
// both ways.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { Client, listPathsForTesting, startSimulator } from 'proxmox-api-native'

/** PVE's `data` of a listing with every kind and value shape the tape handles differently. */
function pveListing(guests) {
  const entries = []
  for (let i = 0; i < guests; i++) {
    const vmid = 100 + i
    const guest = {
      id: `lxc/${vmid}`, type: i % 7 === 0 ? 'qemu' : 'lxc', vmid: i % 5 === 0 ? String(vmid) : vmid,
      node: `pve${i % 3 + 1}`, status: ['running', 'stopped', 'paused'][i % 3],
      cpu: [0, 0.25, 1e-9, 3, 12.5][i % 5], maxcpu: i % 4, mem: i * 1048576, maxmem: 2 ** 33 + i,
      disk: 2 ** 31 - 1 + (i % 3), uptime: i % 2 === 0 ? 0 : 86400 * i, template: i % 11 === 0 ? 1 : 0,
    }
    // Names that are not plain ASCII, that repeat, that need escaping, or none at all.
    if (i % 9 === 1) guest.name = `ct-é-${i}`
    else if (i % 9 === 2) guest.name = `emoji 😀 ${i}`
    else if (i % 9 === 3) guest.name = 'same'
    else if (i % 9 === 4) guest.name = `quote " back \\ tab \t ${i}`
    else if (i % 9 !== 5) guest.name = `ct${vmid}`
    if (i % 13 === 0) guest.tags = 'a;b'
    if (i % 17 === 0) guest.lock = 'backup'
    if (i % 19 === 0) guest.hastate = 'started'
    if (i % 23 === 0) guest.pool = `pool-${i % 40}`
    entries.push(guest)
  }
  // Other kinds among the guests: nodes, storage (a list field), an unknown kind with nested
  // values, and a guest with a field of a shape no guest has (kept as PVE sent it).
  entries.splice(10, 0, { id: 'node/pve1', type: 'node', node: 'pve1', status: 'online', cpu: 0.5, maxcpu: 8, mem: 1, maxmem: 2, uptime: 5, level: '', cgroup_mode: 2 })
  entries.splice(500, 0, { id: 'storage/pve1/local', type: 'storage', storage: 'local', node: 'pve1', status: 'available', plugintype: 'dir', content: 'iso,vztmpl,backup', shared: 0, disk: 10, maxdisk: 20 })
  entries.splice(700, 0, { type: 'sdn', sdn: 'zone1', node: 'pve2', 'nested-key': { some_thing: [1, 'two', null, { x: -0.5 }] } })
  entries.splice(900, 0, { id: 'qemu/5', type: 'qemu', vmid: 5, node: 'pve1', maxmem: { odd: [1, 2] } })
  return entries
}

describe('long lists as tapes', () => {
  it('give exactly the objects of the JSON path', () => {
    for (const guests of [0, 1, 50, 3000]) {
      const { tape, json } = listPathsForTesting(JSON.stringify(pveListing(guests)))
      assert.equal(tape.length, json.length)
      assert.deepStrictEqual(tape, json, `${guests} guests`)
      // deepStrictEqual ignores key order; the text does not.
      assert.equal(JSON.stringify(tape), JSON.stringify(json), `${guests} guests, key order`)
      for (let i = 0; i < tape.length; i++) {
        assert.deepEqual(Object.keys(tape[i]), Object.keys(json[i]), `entry ${i}`)
      }
    }
  })

  it('keep -0 apart from 0 and drop nothing on odd numbers', () => {
    const listing = pveListing(3)
    listing[0].cpu = -0
    listing[1].cpu = 2 ** 53 + 2
    listing[2].maxmem = 2 ** 30
    const { tape, json } = listPathsForTesting(JSON.stringify(listing))
    assert.deepStrictEqual(tape, json)
    assert.ok(Object.is(tape[1].cpu, json[1].cpu))
  })

  it('are what a long listing from the simulator returns', async () => {
    const sim = await startSimulator({ nodes: 3, guests: 1500 })
    try {
      const client = new Client({ host: sim.url, user: sim.user, password: sim.password }, { fingerprint: sim.fingerprint })
      const all = await client.cluster().resources()
      const guests = all.filter((r) => r.vmid !== undefined)
      assert.equal(guests.length, 1500)
      const ids = new Set(guests.map((g) => g.vmid))
      assert.equal(ids.size, 1500)
      assert.ok(guests.every((g) => typeof g.node === 'string' && g.id === `${g.id.split('/')[0]}/${g.vmid}`))
      // A second call, filtered on the server, describes the same guest the same way. Only the
      // fields that do not move with the simulator's clock are compared (cpu, memory and the
      // counters change every few seconds).
      const stable = ({ id, vmid, name, node, template, maxmem, maxdisk, tags, pool }) =>
        ({ id, vmid, name, node, template, maxmem, maxdisk, tags, pool })
      const vms = await client.cluster().resources('vm')
      assert.equal(vms.length, 1500)
      assert.deepStrictEqual(vms.map(stable), guests.map(stable))
    } finally {
      sim.stop()
    }
  })
})

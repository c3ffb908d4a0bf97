// The core's domain handles through the binding, end to end on the simulator: a container's whole
// life (create, start, stop, delete) with every task waited for, lookups, users, task failures.
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { after, before, describe, it } from 'node:test'

import { Client } from '../index.js'
import { startSimulator } from './support/simulator.mjs'

const CANARY_PASSWORD = 'canary-domains-pw-61b2e9d4'
const ROOT_PASSWORD_OF_CONTAINER = 'canary-ct-root-pw-93af'

let sim
let client

before(async () => {
  sim = await startSimulator({ password: CANARY_PASSWORD, nodes: 3, taskScale: 0.01 })
  client = new Client({ host: sim.url, user: sim.user, password: sim.password }, { fingerprint: sim.fingerprint })
})

after(async () => {
  await sim?.stop()
})

async function someTemplate() {
  const content = await client.request('GET', '/nodes/pve1/storage/local/content', { content: 'vztmpl' })
  assert.ok(content.length > 0, 'the simulator has no template on pve1')
  return content[0].volid
}

describe('domain handles', () => {
  it('nodeStatus() returns the full status of one node', async () => {
    const status = await client.nodeStatus('pve1')
    assert.ok(status.memory.total > 0, inspect(status))
    assert.ok(status.uptime >= 0, inspect(status))
  })

  it('a container lives: create, start, stop, delete, each task waited for', async () => {
    const template = await someTemplate()
    const created = await client.createContainer({
      hostname: 'node-binding-ct',
      template,
      password: ROOT_PASSWORD_OF_CONTAINER,
      memoryMib: 256,
    })
    assert.ok(created.vmid >= 100, inspect(created))
    assert.match(created.upid, /^UPID:/)
    assert.ok(['pve1', 'pve2', 'pve3'].includes(created.node))
    const made = await client.waitTask(created.upid)
    assert.equal(made.exitStatus, 'OK')
    assert.equal(made.warnings, 0)

    const listed = await client.containers()
    assert.ok(listed.some((c) => c.vmid === created.vmid), inspect(listed))

    let container = await client.container(created.vmid)
    assert.equal(container.node, created.node)
    assert.equal(container.status.status, 'stopped')
    assert.equal(container.config.hostname, 'node-binding-ct')

    await client.waitTask(await client.startContainer(created.vmid))
    container = await client.container(created.vmid)
    assert.equal(container.status.status, 'running')

    // Deleting a running container stops it first (the core's rule), then destroys it.
    const destroyed = await client.waitTask(await client.deleteContainer(created.vmid))
    assert.equal(destroyed.exitStatus, 'OK')
    const after = await client.containers()
    assert.ok(!after.some((c) => c.vmid === created.vmid))
    await assert.rejects(client.container(created.vmid), (error) => error.code === 'PROXMOX_NOT_FOUND')

    const printed = inspect(created) + inspect(container) + inspect(client)
    assert.ok(!printed.includes(ROOT_PASSWORD_OF_CONTAINER))
  })

  it('a failing task rejects waitTask with PROXMOX_TASK_FAILED, its exit status and log', async () => {
    const template = await someTemplate()
    const created = await client.createContainer({ hostname: 'doomed', template, password: ROOT_PASSWORD_OF_CONTAINER })
    await client.waitTask(created.upid)
    await sim.control('fail-next-task', { type: 'vzstart', exitstatus: 'startup for container failed' })
    const upid = await client.startContainer(created.vmid)
    await assert.rejects(client.waitTask(upid), (error) => {
      assert.equal(error.code, 'PROXMOX_TASK_FAILED', error.message)
      assert.equal(error.upid, upid)
      assert.match(error.exitStatus, /startup for container failed/)
      assert.ok(Array.isArray(error.logTail) && error.logTail.length > 0, inspect(error.logTail))
      return true
    })
    await client.waitTask(await client.deleteContainer(created.vmid))
  })

  it('createContainer refuses a bad hostname before sending (PROXMOX_INVALID_INPUT)', async () => {
    await assert.rejects(
      client.createContainer({ hostname: 'not a hostname!', template: 'local:vztmpl/x.tar.zst' }),
      (error) => {
        assert.equal(error.code, 'PROXMOX_INVALID_INPUT')
        assert.equal(error.sent, false)
        return true
      },
    )
  })

  it('waitTask refuses something that is not a UPID', async () => {
    await assert.rejects(client.waitTask('not-a-upid'), (error) => {
      assert.equal(error.code, 'PROXMOX_INVALID_INPUT')
      assert.ok('upid' in error.errors)
      return true
    })
  })

  it('users() lists root@pam', async () => {
    const users = await client.users()
    assert.ok(users.some((u) => u.userid === 'root@pam'), inspect(users))
  })
})

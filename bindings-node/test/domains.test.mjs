// The Node face end to end against the simulator linked into the addon: the core's handles,
// typed results, task handles with progress, errors as classes, AbortSignal, the path builder.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { inspect } from 'node:util'
import { after, before, describe, it } from 'node:test'

import {
  startSimulator, Client, Task, ProxmoxError, NotFoundError, InvalidInputError,
  InvalidParametersError, TaskFailedError, NodeUnreachableError, PermissionDeniedError,
} from 'proxmox-api-native'

const CANARY_ROOT_PASSWORD = 'ct-root-canary-41f7'
const CANARY_USER_PASSWORD = 'user-canary-pw-93ab'

let sim
let client

before(async () => {
  sim = await startSimulator({ nodes: 3, taskDurationScale: 0.01 })
  client = sim.client()
})

after(() => sim.stop())

async function anyTemplate() {
  const catalog = await client.templates().listAll()
  assert.ok(catalog.templates.length > 0, 'the simulator offers no template')
  return catalog.templates[0].volid
}

describe('simulator', () => {
  it('gives a URL, a fingerprint and credentials a Client accepts', async () => {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    assert.match(sim.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    assert.equal(sim.user, 'root@pam')
    const own = new Client({ host: sim.url, user: sim.user, password: sim.password }, { fingerprint: sim.fingerprint })
    const version = await own.version()
    assert.equal(typeof version.release, 'string')
    assert.ok(!inspect(sim, { showHidden: true, depth: 5 }).includes(sim.password))
  })

  it('injects network faults: a reset after acting fails the call as sent, and is logged', async () => {
    await client.version()
    sim.networkFault('reset-after', 'POST', '/access/users', 1, 0, 1)
    await assert.rejects(client.users().create('netfault', 'netfault-pw-1'), (e) => e instanceof ProxmoxError && e.sent === true)
    assert.ok((await client.users().list()).some((u) => u.userid === 'netfault@pve'))
    assert.deepEqual(sim.faultLog(), [{ kind: 'reset-after', method: 'POST', path: '/access/users' }])
    assert.throws(() => sim.networkFault('unplug', '*', '*', 1, 0, 1), /unplug/)
  })
})

describe('nodes', () => {
  it('list() returns typed summaries with camelCase fields', async () => {
    const nodes = await client.nodes().list()
    assert.deepEqual(nodes.map((n) => n.node).sort(), ['pve1', 'pve2', 'pve3'])
    for (const n of nodes) {
      assert.equal(n.status, 'online')
      assert.equal(typeof n.maxmem, 'number')
      assert.ok(!Object.keys(n).some((k) => k.includes('_') || k.includes('-')), Object.keys(n).join())
    }
  })

  it('statusAll() keeps a failing node apart from the others', async () => {
    sim.setNodeOnline('pve3', false)
    try {
      const all = await client.nodes().statusAll()
      assert.deepEqual(Object.keys(all).sort(), ['pve1', 'pve2', 'pve3'])
      assert.equal(all.pve1.ok, true)
      assert.equal(typeof all.pve1.value.memory.total, 'number')
      assert.equal(all.pve3.ok, false)
      assert.ok(all.pve3.error instanceof NodeUnreachableError, inspect(all.pve3.error))
      assert.ok(all.pve3.error instanceof ProxmoxError)
    } finally {
      sim.setNodeOnline('pve3', true)
    }
  })

  it('node(name).status() and rrddata() are typed; a bad timeframe is refused before sending', async () => {
    const status = await client.node('pve1').status()
    assert.equal(status.loadavg.length, 3)
    assert.ok(status.cpuinfo.cpus > 0)
    const points = await client.node('pve1').rrddata('hour')
    assert.ok(points.length > 0)
    assert.equal(typeof points[0].time, 'number')
    await assert.rejects(client.node('pve1').rrddata('decade'), (e) => e instanceof InvalidInputError && 'timeframe' in e.errors)
  })

  it('node(name).taskPage() pages the task history; a negative limit is refused before sending', async () => {
    const node = client.node('pve1')
    for (const entry of (await node.aplinfo()).slice(0, 2)) {
      await (await node.downloadTemplate('local', entry.template)).wait({ timeoutMs: 120000 })
    }
    const history = await node.tasks()
    assert.ok(history.length >= 2)
    const first = await node.taskPage(null, null, 0, 1)
    const second = await node.taskPage(null, null, 1, 1)
    assert.deepEqual(first.tasks.map((t) => t.upid), [history[0].upid])
    assert.deepEqual(second.tasks.map((t) => t.upid), [history[1].upid])
    assert.ok(first.total === null || first.total >= history.length)
    await assert.rejects(node.taskPage(null, null, 0, -1), (e) => e instanceof InvalidInputError)
  })
})

describe('containers, tasks, users', () => {
  it('the automation flow: user, container with owner and key, progress, start, stop, console, delete', async () => {
    const users = client.users()
    const userid = await users.create('nodeflow', CANARY_USER_PASSWORD)
    assert.equal(userid, 'nodeflow@pve')
    const template = await anyTemplate()
    const created = await client.containers().create({
      hostname: 'node-flow', template, password: CANARY_ROOT_PASSWORD, owner: userid,
      sshPublicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDcanaryKeyForTests node@test'],
    })
    assert.ok(created.task instanceof Task)
    assert.ok(['pve1', 'pve2', 'pve3'].includes(created.node))
    const reports = []
    const outcome = await created.task.wait({ timeoutMs: 60_000, onProgress: (p) => reports.push(p) })
    assert.equal(outcome.upid, created.task.upid)
    assert.equal(outcome.exitStatus, 'OK')
    assert.ok(reports.length > 0, 'no progress reported')
    assert.equal(reports.at(-1).phase, 'stopped')
    assert.ok(reports.flatMap((r) => r.newLines).some((l) => l.includes('TASK OK')), inspect(reports))

    const owned = await users.get(userid)
    assert.deepEqual(owned.vmids, [created.vmid])
    assert.ok(!JSON.stringify(owned).includes(CANARY_USER_PASSWORD))

    const handle = await client.containers().handle(created.vmid)
    assert.equal(handle.node, created.node)
    await (await handle.start()).wait()
    assert.equal((await handle.status()).status, 'running')
    const info = await client.containers().get(created.vmid)
    assert.equal(info.config.hostname, 'node-flow')

    const session = await client.consoleSessionFor(userid, CANARY_USER_PASSWORD, created.node, created.vmid)
    assert.ok(session.url.includes(`vmid=${created.vmid}`))
    assert.ok(session.cookie.setCookieHeader().startsWith('PVEAuthCookie='))
    assert.ok(!inspect(session, { showHidden: true, depth: 5 }).includes(session.cookie.value()))

    await (await handle.stop()).wait()
    await (await handle.delete()).wait()
    const log = await client.cluster().destroyLog()
    assert.ok(log.some((r) => r.vmid === created.vmid && r.outcome === 'OK'), inspect(log))
    await users.delete(userid)
    await assert.rejects(users.get(userid), (e) => e instanceof ProxmoxError)
  })

  it('idempotencyKey reaches the creation request (the container carries the key\'s marker tag)', async () => {
    const template = await anyTemplate()
    const created = await client.containers().create({ hostname: 'idem-tagged', template, idempotencyKey: 'js-idem-tagged', password: CANARY_ROOT_PASSWORD })
    await created.task.wait()
    const marker = 'pxa-key-' + createHash('sha256').update('js-idem-tagged').digest('hex').slice(0, 20)
    const config = await client.node(created.node).container(created.vmid).config()
    assert.ok(config.tags?.includes(marker), inspect(config.tags))
    await (await client.node(created.node).container(created.vmid).delete()).wait()
  })

  it('a repeated create with the same idempotencyKey returns the first container', async () => {
    const template = await anyTemplate()
    const first = await client.containers().create({ hostname: 'idem-once', template, idempotencyKey: 'js-idem-once', password: CANARY_ROOT_PASSWORD })
    await first.task.wait()
    const again = await client.containers().create({ hostname: 'idem-once', template, idempotencyKey: 'js-idem-once', password: CANARY_ROOT_PASSWORD })
    assert.deepEqual([again.vmid, again.node], [first.vmid, first.node])
    const listed = (await client.containers().list()).filter((g) => g.name === 'idem-once').map((g) => g.vmid)
    assert.deepEqual(listed, [first.vmid])
    const other = await client.containers().create({ hostname: 'idem-once', template, idempotencyKey: 'js-idem-other', password: CANARY_ROOT_PASSWORD })
    assert.notEqual(other.vmid, first.vmid)
    await other.task.wait()
    for (const vmid of [first.vmid, other.vmid]) await (await (await client.containers().handle(vmid)).delete()).wait()
  })

  it('a failing task rejects wait() with TaskFailedError carrying exit status and log', async () => {
    const template = await anyTemplate()
    const created = await client.containers().create({ hostname: 'fails-to-start', template, password: CANARY_ROOT_PASSWORD })
    await created.task.wait()
    const handle = client.node(created.node).container(created.vmid)
    sim.failNextTask('vzstart', 'startup for container failed')
    const start = await handle.start()
    await assert.rejects(start.wait(), (e) => {
      assert.ok(e instanceof TaskFailedError, inspect(e))
      assert.equal(e.code, 'PROXMOX_TASK_FAILED')
      assert.ok(e.exitStatus.includes('startup'))
      assert.ok(Array.isArray(e.logTail))
      return true
    })
    await (await handle.delete()).wait()
  })

  it('errors are classes with code, status, sent and retrySafety', async () => {
    await assert.rejects(client.containers().get(999_999), (e) => {
      assert.ok(e instanceof NotFoundError, inspect(e))
      assert.equal(e.code, 'PROXMOX_NOT_FOUND')
      assert.equal(typeof e.sent, 'boolean')
      assert.ok(['safe', 'after_check', 'never'].includes(e.retrySafety))
      return true
    })
    await assert.rejects(client.containers().create({ hostname: 'not a hostname!', template: 'local:vztmpl/x.tar.zst' }), (e) => {
      assert.ok(e instanceof InvalidInputError)
      assert.equal(e.sent, false)
      return true
    })
    await assert.rejects(client.request('POST', '/nodes/pve1/lxc', { vmid: 1, ostemplate: 'x' }), (e) => {
      assert.ok(e instanceof InvalidParametersError, inspect(e))
      assert.equal(e.status, 400)
      assert.ok('vmid' in e.errors, inspect(e.errors))
      return true
    })
  })

  it('a user without rights gets PermissionDeniedError', async () => {
    sim.addUser('nobody@pve', CANARY_USER_PASSWORD)
    const nobody = new Client({ host: sim.url, user: 'nobody@pve', password: CANARY_USER_PASSWORD }, { fingerprint: sim.fingerprint })
    await assert.rejects(nobody.node('pve1').status(), (e) => {
      assert.ok(e instanceof PermissionDeniedError, inspect(e))
      assert.equal(e.status, 403)
      return true
    })
  })
})

describe('progress stream, fan-out, loginAs', () => {
  it('for await over task.progress() yields reports until the task stops', async () => {
    const template = await anyTemplate()
    const created = await client.containers().create({ hostname: 'progress-ct', template, password: CANARY_ROOT_PASSWORD })
    const phases = []
    for await (const report of created.task.progress()) phases.push(report.phase)
    assert.equal(phases.at(-1), 'stopped')
    await (await client.node(created.node).container(created.vmid).delete()).wait()
  })

  it('fanOut() runs one operation on every node (or only some)', async () => {
    const all = await client.fanOut().containers()
    assert.deepEqual(Object.keys(all).sort(), ['pve1', 'pve2', 'pve3'])
    const some = await client.fanOut(1, 5_000, ['pve2']).status()
    assert.deepEqual(Object.keys(some), ['pve2'])
    assert.equal(some.pve2.ok, true)
  })

  it('loginAs() returns a ticket whose secrets are methods only', async () => {
    sim.addUser('ticket@pve', CANARY_USER_PASSWORD)
    const session = await client.loginAs('ticket@pve', CANARY_USER_PASSWORD)
    assert.equal(session.userid, 'ticket@pve')
    assert.ok(session.ticket().length > 20)
    assert.ok(!inspect(session, { showHidden: true, depth: 5 }).includes(session.ticket()))
  })
})

describe('AbortSignal', () => {
  it('an already aborted signal rejects at once with its reason', async () => {
    const controller = new AbortController()
    controller.abort()
    await assert.rejects(client.nodes().list(controller.signal), (e) => e.name === 'AbortError')
  })

  it('aborting a slow call rejects with the reason and leaves the client usable', async () => {
    sim.setLatency(2_000)
    try {
      const controller = new AbortController()
      const pending = client.cluster().resources('vm', controller.signal)
      setImmediate(() => controller.abort(new Error('user cancelled')))
      await assert.rejects(pending, /user cancelled/)
    } finally {
      sim.setLatency(0)
    }
    assert.ok((await client.nodes().list()).length === 3)
  })

  it('works inside wait() options', async () => {
    const template = await anyTemplate()
    sim.setTaskDurationScale(100)
    try {
      const created = await client.containers().create({ hostname: 'abort-wait', template, password: CANARY_ROOT_PASSWORD })
      const controller = new AbortController()
      const waiting = created.task.wait({ signal: controller.signal })
      setTimeout(() => controller.abort(), 50)
      await assert.rejects(waiting, (e) => e.name === 'AbortError')
    } finally {
      sim.setTaskDurationScale(0.01)
    }
  })
})

describe('client.api path builder', () => {
  it('reaches any endpoint, segment by segment', async () => {
    const version = await client.api.version.get()
    assert.equal(typeof version.release, 'string')
    const status = await client.api.nodes('pve1').status.get()
    assert.ok(status.memory.total > 0)
    const viaCall = await client.api('nodes', 'pve1', 'status').get()
    assert.equal(viaCall.cpuinfo.cpus, status.cpuinfo.cpus)
  })

  it('encodes each segment on its own: a slash in data cannot change the path', async () => {
    await assert.rejects(client.api.nodes('pve1/../../version').status.get(), (e) => e instanceof ProxmoxError && e.code !== 'PROXMOX_INVALID_INPUT')
  })
})

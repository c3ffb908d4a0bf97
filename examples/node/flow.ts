// The automation flow of the original spec, in TypeScript, with typed calls only:
// a user; a container for that user with an SSH key, placed automatically, with a progress
// spinner; start and stop; rrd data; a console URL and the user's console session; the status of
// every node; the templates merged across nodes; the destroy log; then delete container and user.
//
// Without PVE_URL it runs against the simulator linked into the package:
//   tsc -p examples/node && node examples/node/dist/flow.js
// Against a cluster: PVE_URL=https://pve:8006 PVE_USER=root@pam PVE_PASSWORD=... PVE_FINGERPRINT=AA:..
import {
  Client, startSimulator, ProxmoxError, TaskFailedError,
  type Simulator, type TaskProgress, type Task, type GuestRrdPoint,
} from 'proxmox-api-native'

const SPINNER = ['|', '/', '-', '\\']

/** A one-line progress display: spinner, elapsed time and the latest log line. */
function spinner(label: string): (progress: TaskProgress) => void {
  let frame = 0
  let last = ''
  return (progress) => {
    last = progress.newLines.at(-1) ?? last
    const mark = progress.phase === 'stopped' ? 'done' : SPINNER[frame++ % SPINNER.length]
    process.stdout.write(`\r${label} ${mark} ${progress.elapsed.toFixed(1)}s ${last}`.padEnd(90))
    if (progress.phase === 'stopped') process.stdout.write('\n')
  }
}

async function waitFor(label: string, task: Task): Promise<void> {
  const outcome = await task.wait({ timeoutMs: 300_000, onProgress: spinner(label) })
  if (outcome.warnings > 0) console.log(`  ${label}: ${outcome.exitStatus}`)
}

function chart(points: GuestRrdPoint[]): string {
  const bars = ' .:-=+*#%@'
  return points
    .slice(-40)
    .map((p) => bars[Math.min(9, Math.round((p.cpu ?? 0) * 9))])
    .join('')
}

async function connect(): Promise<{ client: Client; sim: Simulator | null }> {
  const url = process.env.PVE_URL
  if (!url) {
    const sim = await startSimulator({ nodes: 3, taskDurationScale: 0.05 })
    console.log(`simulator at ${sim.url}`)
    return { client: sim.client(), sim }
  }
  const client = new Client(
    { host: url, user: process.env.PVE_USER ?? 'root@pam', password: process.env.PVE_PASSWORD ?? '' },
    { fingerprint: process.env.PVE_FINGERPRINT },
  )
  return { client, sim: null }
}

async function main(): Promise<void> {
  const { client, sim } = await connect()
  const version = await client.version()
  console.log(`Proxmox VE ${version.version}`)

  const userPassword = `flow-${Math.random().toString(36).slice(2, 12)}`
  const userid = await client.users().create(`flow${Date.now() % 100_000}`, userPassword, { comment: 'examples/node/flow.ts' })
  console.log(`user ${userid}`)

  const catalog = await client.templates().listAll()
  for (const t of catalog.templates) {
    console.log(`template ${t.name} on ${t.locations.map((l) => `${l.node}/${l.storage}`).join(', ')}`)
  }
  for (const [node, error] of Object.entries(catalog.unreachable)) console.log(`  ${node} unreachable: ${error.message}`)
  const template = catalog.templates[0]?.volid
  if (!template) throw new Error('no container template in the cluster')

  let vmid: number | null = null
  try {
    const created = await client.containers().create({
      hostname: 'flow-ct',
      template,
      owner: userid,
      sshPublicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnlyForTheFlow flow@example'],
      memoryMib: 512,
    })
    vmid = created.vmid
    console.log(`container ${created.vmid} placed on ${created.node}`)
    await waitFor('create', created.task)

    const container = client.node(created.node).container(created.vmid)
    await waitFor('start', await container.start())
    console.log(`status: ${(await container.status()).status}`)
    console.log(`cpu (last hour): ${chart(await container.rrddata('hour'))}`)

    console.log(`console URL: ${client.consoleUrl(created.node, created.vmid, 'flow-ct')}`)
    const session = await client.consoleSessionFor(userid, userPassword, created.node, created.vmid)
    console.log(`console session for ${userid}: ${session.url} (cookie ${session.cookie.name}, not printed)`)

    const statuses = await client.nodes().statusAll()
    for (const [node, result] of Object.entries(statuses)) {
      if (result.ok) {
        const used = result.value.memory.used / result.value.memory.total
        console.log(`${node}: load ${result.value.loadavg.join(' ')}, memory ${(used * 100).toFixed(0)}%`)
      } else {
        console.log(`${node}: ${result.error.code}`)
      }
    }

    await waitFor('stop', await container.stop())
    await waitFor('delete', await container.delete())
    vmid = null
    for (const record of (await client.cluster().destroyLog()).slice(0, 5)) {
      console.log(`destroyed ${record.vmid} on ${record.node} by ${record.user}: ${record.outcome}`)
    }
  } catch (error) {
    if (error instanceof TaskFailedError) console.error(`task failed: ${error.exitStatus}\n${error.logTail?.join('\n')}`)
    else if (error instanceof ProxmoxError) console.error(`${error.code} (retry: ${error.retrySafety}): ${error.message}`)
    throw error
  } finally {
    if (vmid !== null) await (await (await client.containers().handle(vmid)).delete()).wait().catch(() => undefined)
    await client.users().delete(userid)
    console.log(`user ${userid} deleted`)
    sim?.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})

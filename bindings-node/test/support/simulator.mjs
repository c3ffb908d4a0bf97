// Starts the real simulator binary (`$PROXMOX_API_SIM_BIN`, built by scripts/test.sh) and reads
// the one JSON line it prints when ready: {"url","fingerprint","user","password","control_url"}.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { request } from 'node:https'
import { once } from 'node:events'
import { createInterface } from 'node:readline'

const READY_TIMEOUT_MS = 60_000

export function simulatorBinary() {
  const binary = process.env.PROXMOX_API_SIM_BIN
  if (!binary) {
    throw new Error('PROXMOX_API_SIM_BIN is not set: run bindings-node/scripts/test.sh, which builds the simulator')
  }
  return binary
}

/**
 * Runs a simulator with `password` for root@pam, no failed-login delay and task durations
 * multiplied by `taskScale`.
 * Resolves to its connection details plus `stop()`.
 */
export async function startSimulator({ password, nodes = 3, taskScale = 1 }) {
  const child = spawn(
    simulatorBinary(),
    [
      '--listen', '127.0.0.1:0', '--nodes', String(nodes), '--password', password,
      '--auth-delay-ms', '0', '--task-scale', String(taskScale),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const lines = createInterface({ input: child.stdout })
  const exited = once(child, 'exit').then(([code, signal]) => {
    throw new Error(`simulator exited (${code ?? signal}) before it was ready: ${stderr}`)
  })
  let timer
  const timedOut = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`simulator not ready after ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS)
  })
  try {
    const [line] = await Promise.race([once(lines, 'line'), exited, timedOut])
    const ready = JSON.parse(line)
    return {
      url: ready.url,
      fingerprint: ready.fingerprint,
      user: ready.user,
      password: ready.password,
      controlUrl: ready.control_url,
      control: (action, body) => control(ready.control_url, ready.fingerprint, action, body),
      async stop() {
        lines.close()
        if (child.exitCode === null && child.signalCode === null) {
          const gone = once(child, 'exit')
          child.kill()
          await gone
        }
      },
    }
  } catch (error) {
    child.kill()
    throw error
  } finally {
    clearTimeout(timer)
    exited.catch(() => {})
  }
}

/** The leaf certificate's SHA-256 fingerprint in `AA:BB:...` form. */
function fingerprintOf(certificate) {
  return createHash('sha256').update(certificate.raw).digest('hex').toUpperCase().match(/../g).join(':')
}

/**
 * POSTs a JSON body to the simulator's control endpoint (`/_sim/<action>`), trusting only the
 * certificate with the printed fingerprint. Resolves to the reply's `data`.
 */
function control(controlUrl, fingerprint, action, body = {}) {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      `${controlUrl}/${action}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        // Self-signed: the chain cannot verify, so the pin is checked by hand instead.
        rejectUnauthorized: false,
        checkServerIdentity: (_host, certificate) =>
          fingerprintOf(certificate) === fingerprint ? undefined : new Error('simulator fingerprint mismatch'),
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`/_sim/${action}: ${res.statusCode} ${res.statusMessage} ${text}`))
          } else {
            resolve(JSON.parse(text).data)
          }
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

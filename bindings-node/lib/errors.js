'use strict'
// The ProxmoxError family. The addon builds every error through `fromFields` (registered with
// `registerErrorFactory`), so rejections and per-node failures inside results are instances of
// the subclass for their code and `instanceof` works.

class ProxmoxError extends Error {
  constructor(fields) {
    super(fields.message)
    // Own, enumerable data properties, like Node's system errors: visible in console.log and
    // JSON.stringify. None of them ever holds a secret (the core's messages do not).
    for (const [key, value] of Object.entries(fields)) {
      if (key !== 'message') this[key] = value
    }
    if (!('name' in fields)) this.name = new.target.name
  }
}

const CODES = [
  'INVALID_INPUT', 'AUTHENTICATION', 'TFA_REQUIRED', 'PERMISSION_DENIED', 'NOT_FOUND',
  'INVALID_PARAMETERS', 'CONFLICT', 'NODE_UNREACHABLE', 'API', 'CONNECT', 'TIMEOUT', 'TLS',
  'DECODE', 'TASK_FAILED', 'TASK_TIMEOUT',
]

/** `NOT_FOUND` -> `NotFoundError` (the same rule as the addon's `class_name`). */
function className(code) {
  return code.split('_').map((w) => w[0] + w.slice(1).toLowerCase()).join('') + 'Error'
}

const classes = {}
for (const code of CODES) {
  const name = className(code)
  // A named class per code, so stack traces and console.log show e.g. `NotFoundError`.
  classes[name] = { [name]: class extends ProxmoxError {} }[name]
}

const byName = new Map(Object.entries(classes))

/** Builds the error for the addon's fields (`name` is the class name). */
function fromFields(fields) {
  const Class = byName.get(fields.name) || ProxmoxError
  return new Class(fields)
}

module.exports = { ProxmoxError, ...classes, ProxmoxTimeoutError: classes.TimeoutError, fromFields }

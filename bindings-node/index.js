'use strict'
// The package's CommonJS entry point: the addon (loaded by the generated binding.js) plus the
// ProxmoxError classes, AbortSignal support and the `client.api` path builder. Typings:
// index.d.ts. ESM: index.mjs.

const native = require('./binding.js')
const errors = require('./lib/errors.js')
const { installSignalSupport } = require('./lib/abort.js')
const { apiPath } = require('./lib/path.js')

native.registerErrorFactory(errors.fromFields)

const HANDLE_CLASSES = [
  'Client', 'NodesApi', 'NodeApi', 'ClusterApi', 'ContainersApi', 'ContainerApi', 'TemplatesApi',
  'UsersApi', 'TasksApi', 'Task', 'FanOut', 'ProgressStream',
]
installSignalSupport(HANDLE_CLASSES.map((name) => native[name]), native.AbortToken)

Object.defineProperty(native.Client.prototype, 'api', {
  get() {
    return apiPath(this, [])
  },
  configurable: true,
})

// `for await (const progress of task.progress())`: the native stream's next() as an iterator.
native.ProgressStream.prototype[Symbol.asyncIterator] = async function* progressReports() {
  for (let report = await this.next(); report !== null; report = await this.next()) yield report
}

const { fromFields: _fromFields, ...errorClasses } = errors

module.exports = {
  ...native,
  ...errorClasses,
}

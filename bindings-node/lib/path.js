'use strict'
// `client.api`: any endpoint, built segment by segment in the style of proxmoxer. Each segment
// is handed to the core separately and percent-encoded there on its own, so data such as a
// node name can never change the path's shape.

const METHODS = { get: 'GET', post: 'POST', put: 'PUT', delete: 'DELETE' }

function apiPath(client, segments) {
  // A function target makes the proxy callable: `api.nodes('pve1')`.
  const target = function apiPath() {}
  return new Proxy(target, {
    get(_, property) {
      if (typeof property === 'symbol') return undefined
      // Not a thenable: `await client.api.nodes` must not try to call `then`.
      if (property === 'then') return undefined
      if (property === 'toString') return () => '/' + segments.join('/')
      const method = METHODS[property]
      if (method) {
        return (params, signal) => client.requestSegments(method, segments, params ?? null, signal)
      }
      return apiPath(client, [...segments, property])
    },
    apply(_, __, args) {
      return apiPath(client, [...segments, ...args.map(String)])
    },
  })
}

module.exports = { apiPath }

'use strict'
// AbortSignal -> the addon's AbortToken. Every async method of the addon's classes is wrapped
// once at load time: an AbortSignal argument (or the `signal` of an options object) becomes a
// token, the returned Promise rejects with `signal.reason` as soon as the signal aborts (as
// `fetch` does) and the native call is dropped, which closes its HTTP request. The listener is
// removed when the call settles, so one long-lived signal can serve any number of calls.

function findSignal(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg instanceof AbortSignal) return { index: i, signal: arg, inOptions: false }
    if (arg && typeof arg === 'object' && arg.signal instanceof AbortSignal) {
      return { index: i, signal: arg.signal, inOptions: true }
    }
  }
  return null
}

function withSignal(method, AbortToken) {
  return function (...args) {
    const found = findSignal(args)
    if (!found) return method.apply(this, args)
    const { index, signal, inOptions } = found
    if (signal.aborted) return Promise.reject(signal.reason)
    const token = new AbortToken()
    args[index] = inOptions ? { ...args[index], signal: token } : token
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        token.abort()
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      const settle = (finish) => (value) => {
        signal.removeEventListener('abort', onAbort)
        finish(value)
      }
      let pending
      try {
        pending = method.apply(this, args)
      } catch (error) {
        settle(reject)(error)
        return
      }
      Promise.resolve(pending).then(settle(resolve), settle(reject))
    })
  }
}

/** Wraps the prototype methods of `classes` (skipping getters and the constructor). */
function installSignalSupport(classes, AbortToken) {
  for (const Class of classes) {
    const proto = Class.prototype
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name)
      if (name === 'constructor' || typeof descriptor.value !== 'function') continue
      Object.defineProperty(proto, name, { ...descriptor, value: withSignal(descriptor.value, AbortToken) })
    }
  }
}

module.exports = { installSignalSupport }

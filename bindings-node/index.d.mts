// Typings of the ES module entry point (index.mjs): the same as the CommonJS ones.
export * from './index.js'

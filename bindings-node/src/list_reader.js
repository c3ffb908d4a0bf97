// The JavaScript half of `list_tape.rs`: builds a long list's objects from the tape the addon
// wrote on a tokio thread. Evaluated once per environment; the value of this script is `read`.
// Each object shape gets a builder made of one object literal, so every object of a shape is
// created with its keys in the same order and shares V8's hidden class, as `JSON.parse` would.
// The tape being read is held in this scope, not in a closure per call, so that `value` is one
// function that every builder calls and the JIT can inline.
(function () {
  'use strict'
  let tags, ints, numbers, text, table
  let t = 0
  let i = 0
  let n = 0

  // Tags (see `Tag` in list_tape.rs): 0 null, 1 false, 2 true, 3 a number of `numbers`, 4 a
  // whole number of `ints`, 5 a string cut from `text`, 6 the same, then kept in the table,
  // 7 a string of the table, 8 JSON cut from `text`, 9 an object of a shape, its fields next.
  function value() {
    switch (tags[t++]) {
      case 0: return null
      case 1: return false
      case 2: return true
      case 3: return numbers[n++]
      case 4: return ints[i++]
      case 5: { const s = text.slice(ints[i], ints[i + 1]); i += 2; return s }
      case 6: { const s = text.slice(ints[i], ints[i + 1]); i += 2; table.push(s); return s }
      case 7: return table[ints[i++]]
      case 8: { const v = JSON.parse(text.slice(ints[i], ints[i + 1])); i += 2; return v }
      case 9: return build[ints[i++]]()
      default: throw new Error('proxmox-api-native: unreadable list tape')
    }
  }

  const builders = new Map()
  let build = []

  function builder(keys) {
    let made = builders.get(keys)
    if (made === undefined) {
      const fields = JSON.parse(keys).map((name) => JSON.stringify(name) + ': value()').join(', ')
      // eslint-disable-next-line no-new-func
      made = new Function('value', 'return function build() { return {' + fields + '} }')(value)
      builders.set(keys, made)
    }
    return made
  }

  // Appends the items of one tape to `out`.
  return function read(out, tapeTags, tapeInts, tapeNumbers, tapeText, shapes) {
    build = shapes.map(builder)
    tags = tapeTags
    ints = tapeInts
    numbers = tapeNumbers
    text = tapeText
    table = []
    t = 0
    i = 0
    n = 0
    try {
      while (t < tags.length) out.push(value())
    } finally {
      // Nothing of this tape stays reachable from here once it is read.
      tags = ints = numbers = text = table = undefined
      build = []
    }
    return out
  }
})()

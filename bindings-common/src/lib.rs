//! The one declaration of every operation the language bindings expose.
//!
//! The Python binding (`bindings-python`) and the Node binding (`bindings-node`) do not list
//! operations themselves: each passes its own *generator* macro to [`operations!`], which expands
//! the generator once with the whole table below. Adding an operation here adds it to every
//! binding at the next build; a binding that cannot express a new argument or result type fails to
//! compile instead of silently skipping it. `tests/parity.rs` reads the core's sources and fails
//! when a public operation of a core handle is missing from the table.
//!
//! # The table's grammar
//!
//! ```text
//! /// handle doc
//! handle Node(NodeApi) {            // binding-side name (Python `Node`/`AsyncNode`, Node `Node`), core type
//!     /// op doc (first line: summary; the rest: details)
//!     io fn storage_content(storage: String, content: Option<String> = None)
//!         -> Vec<StorageContentItem>, retry Safe, js "storageContent"
//!         => |node| node.storage_content(&storage, content.as_deref()).await;
//! }
//! ```
//!
//! - `io` operations talk to the server: the body is an `async` block (it may use `.await` and
//!   `?`) whose value is `Result<Ret, Error>`. A binding runs it on its runtime: Python blocks
//!   (sync client, GIL released) or returns an awaitable (asyncio); Node returns a Promise.
//! - `local` operations never do I/O (handle accessors, URLs): the body is evaluated at once,
//!   inside a closure returning `Result<Ret, Error>`; every face exposes them as plain methods.
//! - Arguments are `name: Type` or `name: Type = default` (a Rust expression of `Type`). Argument
//!   and result types are Rust types from [`prelude`]; each binding converts them through its own
//!   traits, so a type a binding does not know is a compile error there.
//! - `retry` is the [`RetrySafety`](proxmox_api_core::RetrySafety) of the operation as a whole if
//!   it fails after being sent: `Safe` (reads, idempotent writes), `AfterCheck` (state changes:
//!   check the state before repeating), `Never` (creations that would duplicate).
//! - `js` is the camelCase name for JavaScript; Python uses `name` as is (snake_case).
//! - `|h|` names the core handle (a clone of the binding's handle) inside the body; the arguments
//!   are in scope by their names, already converted to their Rust types, with defaults applied.
//!
//! # How a binding consumes it
//!
//! ```ignore
//! use proxmox_api_bindings::prelude::*;   // the types the table names, unqualified
//!
//! macro_rules! my_generator {
//!     ( $( $(#[doc = $hdoc:literal])* handle $handle:ident ($core:ty) {
//!         $( $(#[doc = $doc:literal])*
//!            $kind:ident fn $name:ident ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* )
//!            -> $ret:ty, retry $retry:ident, js $js:literal => |$h:ident| $body:expr ; )*
//!     } )* ) => { /* one class per $handle, one method per $name */ };
//! }
//! proxmox_api_bindings::operations!(my_generator);
//! ```
//!
//! Dispatch on `$kind` (`io`/`local`) with a helper macro. Evaluate an `io` body as
//! `async move { let $h = core_handle; $(let $arg: $aty = ...;)* $body }`, and a `local` one as
//! `(move || -> Result<$ret, Error> { $body })()`. [`OPERATIONS`] is the same table as data (for
//! parity tests in each language and for stub generation).
//!
//! # The model table
//!
//! [`models!`] declares, once, every core model an operation returns (and the models nested in
//! them): its doc, its binding-side class name, its core type (as [`prelude`] names it) and its
//! fields by their Rust names, in order. Python (`models.rs`: classes, `to_dict`, `repr`, stubs)
//! and Node (`mirror.rs`: the JSON shape, `modelShapes()` for the TypeScript check) generate
//! from it, so the field names are the same in both (snake_case in Python, camelCase in Node).
//!
//! ```text
//! /// doc
//! data NodeSummary(NodeSummary) { node, status, cpu, ssl_fingerprint }
//! /// doc
//! secret SessionTicket(SessionTicket) { userid, ticket, csrf, issued_at }
//! ```
//!
//! `data` models are plain data (Node: an object parsed from JSON text); `secret` models hold a
//! secret (Node: a class whose secret fields are methods). Field types are not written: each
//! binding takes them from the core type (a projection `|m: &Core| &m.field`), through its own
//! traits. A generator has the shape
//! `( $( $(#[doc = $doc:literal])* $kind:ident $name:ident ($core:ident) { $($field:ident),* } )* )`.
//! [`MODELS`] is the table as data; this crate also destructures every core type with exactly
//! the listed fields, so a field the core adds fails to compile until the table lists it.

pub mod describe;
pub mod describe_models;
pub mod freed_memory;
pub mod large_buffers;
mod model_table;
pub mod prelude;
mod table;

pub use describe::{Argument, OpKind, Operation, OPERATIONS};
pub use describe_models::{Model, ModelKind, MODELS};

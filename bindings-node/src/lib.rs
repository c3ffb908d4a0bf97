//! Node.js bindings of `proxmox-api-core` (napi-rs), published on npm as `proxmox-api-native`.
//!
//! Conversion only: every operation is the core's. Results take the JSON fast path
//! (`json_text`); errors become `ProxmoxError` subclasses (`js_error`); cancellation comes
//! from `AbortSignal` (`abort`). The package's `index.js` adds the error classes, the
//! `AbortSignal` plumbing and the `client.api` path builder on top of this addon.

// napi-rs registers the exported functions only outside `cfg(test)`, so unit-test builds see them
// as unused.
#![cfg_attr(test, allow(dead_code))]

mod abort;
mod client;
mod cluster;
mod console;
mod containers;
mod erased;
mod faces;
mod fan_out;
mod instance;
mod js_args;
mod js_error;
mod json_text;
mod list_tape;
mod login;
mod mirror;
mod model_shapes;
mod nodes;
mod operations;
mod outcome;
mod params;
mod per_node;
mod results;
#[cfg(feature = "sim")]
mod sim;
mod tasks;
mod templates;
mod tfa;
mod users;

// Large buffers go back to the system when freed, so a process's peak after a long listing is its
// objects, not also the listing's buffers that glibc would keep.
#[global_allocator]
static ALLOCATOR: proxmox_api_bindings::large_buffers::LargeBuffersFromTheSystem =
    proxmox_api_bindings::large_buffers::LargeBuffersFromTheSystem;

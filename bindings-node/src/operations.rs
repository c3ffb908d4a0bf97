//! Parity with the shared table: `bindings-common` (crate `proxmox-api-bindings`) declares every
//! core operation once, for the Python and the Node binding. `operations()` hands that table to
//! JavaScript with the class each handle is in this package, and `test/parity.test.mjs` fails when
//! any operation of it is not a method (or getter) of that class, or not declared in
//! `index.d.ts`. An operation added to the table (or a core operation the table's own parity test
//! makes it add) therefore fails the Node tests until the Node face has it.
//!
//! The methods themselves are generated from the same table (`faces`); `declaration` carries the
//! TypeScript of each generated one, which `scripts/build.mjs` writes into `index.d.ts`.

use napi_derive::napi;
use proxmox_api_bindings::{OpKind, OPERATIONS};

/// The class of this package that implements the table's handle.
fn js_class(handle: &str) -> &str {
    match handle {
        "Client" => "Client",
        "Nodes" => "NodesApi",
        "Node" => "NodeApi",
        "Cluster" => "ClusterApi",
        "Containers" => "ContainersApi",
        "Container" => "ContainerApi",
        "Templates" => "TemplatesApi",
        "Users" => "UsersApi",
        "Tasks" => "TasksApi",
        "Task" => "Task",
        "FanOut" => "FanOut",
        // A handle added to the table: the parity test reports it as missing.
        other => other,
    }
}

/// One operation of the shared table as the Node face must expose it.
#[napi(object, object_from_js = false)]
pub struct Operation {
    /// The table's handle name, e.g. `Node`.
    pub handle: String,
    /// This package's class for it, e.g. `NodeApi`.
    pub class_name: String,
    /// The snake_case name (Python, Rust), e.g. `status_all`.
    pub name: String,
    /// The JavaScript name, e.g. `statusAll`.
    pub js_name: String,
    /// Whether it talks to the server (then it returns a Promise).
    pub io: bool,
    /// Its retry safety once sent: `safe`, `after_check` or `never`.
    pub retry_safety: String,
    /// The TypeScript member generated from the table (with its TSDoc), or `null` for the few
    /// operations whose Node shape is hand-written (their typings come from napi-rs).
    pub declaration: Option<String>,
}

/// Every operation of the shared table (for the parity test).
#[napi]
pub fn operations() -> Vec<Operation> {
    let declarations = crate::faces::declarations();
    OPERATIONS
        .iter()
        .map(|op| Operation {
            handle: op.handle.to_owned(),
            class_name: js_class(op.handle).to_owned(),
            name: op.name.to_owned(),
            js_name: op.js_name.to_owned(),
            io: op.kind == OpKind::Io,
            retry_safety: match op.retry {
                proxmox_api_core::RetrySafety::Safe => "safe",
                proxmox_api_core::RetrySafety::AfterCheck => "after_check",
                _ => "never",
            }
            .to_owned(),
            declaration: declarations
                .iter()
                .find(|(handle, name, _)| *handle == op.handle && *name == op.name)
                .map(|(_, _, declaration)| declaration.clone()),
        })
        .collect()
}

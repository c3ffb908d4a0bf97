//! The core's public operations, by handle, as the Node face must expose them. The parity test
//! (`test/parity.test.mjs`) checks every entry against the classes' prototypes, so an operation
//! added here (or to the core and here) cannot be silently missing from the binding.
//!
//! Shaped to be replaced by the shared table of `bindings-common` when it lands: the same
//! `(handle, core method name)` pairs.

use napi_derive::napi;

/// `(handle, method)` with the core's snake_case method names.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("Client", "version"),
    ("Client", "request"),
    ("Client", "nodes"),
    ("Client", "node"),
    ("Client", "cluster"),
    ("Client", "containers"),
    ("Client", "templates"),
    ("Client", "users"),
    ("Client", "tasks"),
    ("Client", "task"),
    ("Client", "console_url"),
    ("Client", "console_session_for"),
    ("NodesApi", "list"),
    ("NodesApi", "status_all"),
    ("NodeApi", "name"),
    ("NodeApi", "status"),
    ("NodeApi", "rrddata"),
    ("NodeApi", "storages"),
    ("NodeApi", "storage_content"),
    ("NodeApi", "templates"),
    ("NodeApi", "aplinfo"),
    ("NodeApi", "download_template"),
    ("NodeApi", "containers"),
    ("NodeApi", "container"),
    ("NodeApi", "tasks"),
    ("ClusterApi", "resources"),
    ("ClusterApi", "status"),
    ("ClusterApi", "next_id"),
    ("ClusterApi", "tasks"),
    ("ClusterApi", "destroy_log"),
    ("ContainersApi", "list"),
    ("ContainersApi", "locate"),
    ("ContainersApi", "handle"),
    ("ContainersApi", "get"),
    ("ContainersApi", "create"),
    ("ContainerApi", "vmid"),
    ("ContainerApi", "node"),
    ("ContainerApi", "status"),
    ("ContainerApi", "config"),
    ("ContainerApi", "start"),
    ("ContainerApi", "stop"),
    ("ContainerApi", "shutdown"),
    ("ContainerApi", "reboot"),
    ("ContainerApi", "delete"),
    ("ContainerApi", "rrddata"),
    ("ContainerApi", "vnc_proxy"),
    ("TemplatesApi", "per_node"),
    ("TemplatesApi", "list_all"),
    ("UsersApi", "list"),
    ("UsersApi", "acl"),
    ("UsersApi", "vmids"),
    ("UsersApi", "get"),
    ("UsersApi", "create"),
    ("UsersApi", "set_password"),
    ("UsersApi", "delete"),
    ("UsersApi", "assign"),
    ("UsersApi", "assign_role"),
    ("UsersApi", "unassign"),
    ("UsersApi", "containers"),
    ("TasksApi", "get"),
    ("TasksApi", "list"),
    ("Task", "upid"),
    ("Task", "node"),
    ("Task", "status"),
    ("Task", "log"),
    ("Task", "log_from"),
    ("Task", "wait"),
];

/// One operation of the core as the Node face must expose it.
#[napi(object, object_from_js = false)]
pub struct Operation {
    /// The class, e.g. `NodeApi`.
    pub handle: String,
    /// The core's (snake_case) method name, e.g. `status_all`.
    pub method: String,
}

/// Every core operation the binding declares (for the parity test).
#[napi]
pub fn operations() -> Vec<Operation> {
    OPERATIONS
        .iter()
        .map(|(handle, method)| Operation {
            handle: (*handle).to_owned(),
            method: (*method).to_owned(),
        })
        .collect()
}

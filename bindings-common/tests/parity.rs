//! Parity: every public operation of a core handle is in the operation table, so no binding can
//! lack it (the bindings are generated from the table).
//!
//! The core's handles are read from its sources at test time (`proxmox-api-core/src/api/*.rs`,
//! `tasks.rs`, `client.rs`): every `pub fn` / `pub async fn` directly inside an `impl X {` block
//! where `X` is `Client`, `Task`, `FanOut` or ends in `Api`. The few that cannot cross a language
//! boundary as they are (generic, closure-taking, builder plumbing) are listed in [`NOT_EXPOSED`]
//! with the reason and the table entry that covers them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proxmox_api_bindings::OPERATIONS;

/// `(core type, method, why it is not a table entry of its own)`.
const NOT_EXPOSED: &[(&str, &str, &str)] = &[
    (
        "Client",
        "builder",
        "construction: the bindings' Client constructors",
    ),
    (
        "Client",
        "send",
        "generic over the Rust result type: `request` is the untyped face",
    ),
    (
        "Client",
        "send_with",
        "generic over the Rust result type: `request` is the untyped face",
    ),
    (
        "Client",
        "get",
        "generic over the Rust result type: `request` is the untyped face",
    ),
    (
        "Client",
        "send_listing",
        "generic over the Rust result type: `request` is the untyped face, `Node.task_page` the typed use",
    ),
    (
        "Client",
        "clock",
        "returns the injected Rust clock; not meaningful across a language",
    ),
    (
        "FanOut",
        "run",
        "takes a Rust closure: FanOut's table entries run each node operation",
    ),
    (
        "FanOut",
        "run_on",
        "takes a Rust closure and reachability list (placement internals)",
    ),
    ("FanOut", "concurrency", "an argument of `Client.fan_out`"),
    (
        "FanOut",
        "per_node_timeout",
        "an argument of `Client.fan_out`",
    ),
    ("FanOut", "only", "an argument of `Client.fan_out`"),
    (
        "Task",
        "new",
        "construction: `Client.task(upid)` / `Tasks.get(upid)`",
    ),
];

fn core_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../proxmox-api-core/src")
}

fn is_handle(type_name: &str) -> bool {
    matches!(type_name, "Client" | "Task" | "FanOut") || type_name.ends_with("Api")
}

/// `(impl type, method)` for every public method of a handle in `source`.
fn public_methods(source: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if let Some(rest) = line.strip_prefix("impl ") {
            // `impl Foo {` only: trait impls (`impl X for Y`) and generic impls are not handles.
            current = rest
                .strip_suffix(" {")
                .filter(|name| name.chars().all(|c| c.is_alphanumeric() || c == '_'))
                .map(str::to_owned);
            continue;
        }
        if line == "}" {
            current = None;
            continue;
        }
        let Some(type_name) = current.as_deref().filter(|t| is_handle(t)) else {
            continue;
        };
        let signature = line
            .strip_prefix("    pub async fn ")
            .or_else(|| line.strip_prefix("    pub fn "));
        if let Some(signature) = signature {
            let name: String = signature
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push((type_name.to_owned(), name));
        }
    }
    found
}

fn core_operations() -> BTreeSet<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(core_dir().join("api"))
        .expect("proxmox-api-core/src/api")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.push(core_dir().join("tasks.rs"));
    files.push(core_dir().join("client.rs"));
    let mut all = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("core source");
        all.extend(public_methods(&source));
    }
    all
}

#[test]
fn every_core_handle_operation_is_in_the_table() {
    let core = core_operations();
    assert!(
        core.len() > 50,
        "the scan found only {} operations: did the core's layout change?",
        core.len()
    );
    let table: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|op| (op.core_type.to_owned(), op.name.to_owned()))
        .collect();
    let missing: Vec<String> = core
        .iter()
        .filter(|(ty, name)| !table.contains(&(ty.clone(), name.clone())))
        .filter(|(ty, name)| !NOT_EXPOSED.iter().any(|(t, n, _)| t == ty && n == name))
        .map(|(ty, name)| format!("{ty}::{name}"))
        .collect();
    assert!(
        missing.is_empty(),
        "core operations missing from bindings-common's table (add them to src/table.rs, or to \
         NOT_EXPOSED with a reason): {missing:?}"
    );
}

#[test]
fn the_exclusions_still_exist_in_the_core() {
    let core = core_operations();
    for (ty, name, _) in NOT_EXPOSED {
        assert!(
            core.contains(&((*ty).to_owned(), (*name).to_owned())),
            "{ty}::{name} is listed as not exposed but no longer exists in the core"
        );
    }
}

#[test]
fn table_entries_for_core_methods_exist_in_the_core() {
    // Entries whose name matches no core method are binding-level compositions; there are few
    // and they are listed here, so a renamed core method is noticed.
    let compositions = [
        ("Task", "progress"),
        ("FanOut", "status"),
        ("FanOut", "storages"),
        ("FanOut", "templates"),
        ("FanOut", "containers"),
        ("FanOut", "rrddata"),
    ];
    let core = core_operations();
    for op in OPERATIONS {
        let key = (op.core_type.to_owned(), op.name.to_owned());
        assert!(
            core.contains(&key) || compositions.contains(&(op.core_type, op.name)),
            "table entry {}.{} matches no public method of {} in the core",
            op.handle,
            op.name,
            op.core_type
        );
    }
}

/// Every core source file the scan reads, with its text.
fn core_sources() -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(core_dir().join("api"))
        .expect("proxmox-api-core/src/api")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.push(core_dir().join("tasks.rs"));
    files.push(core_dir().join("client.rs"));
    files
        .iter()
        .map(|file| std::fs::read_to_string(file).expect("core source"))
        .collect()
}

/// The core's send-builders (types with `pub async fn send(self`), each with its public options
/// (`pub fn name(mut self, ...) -> Self`).
fn send_builders(sources: &[String]) -> Vec<(String, Vec<String>)> {
    let mut builders = Vec::new();
    for source in sources {
        let mut current: Option<(String, Vec<String>, bool)> = None;
        for line in source.lines() {
            if let Some(rest) = line.strip_prefix("impl ") {
                current = rest
                    .strip_suffix(" {")
                    .filter(|name| name.chars().all(|c| c.is_alphanumeric() || c == '_'))
                    .map(|name| (name.to_owned(), Vec::new(), false));
                continue;
            }
            if line == "}" {
                if let Some((name, options, true)) = current.take() {
                    builders.push((name, options));
                }
                continue;
            }
            let Some((_, options, is_builder)) = current.as_mut() else {
                continue;
            };
            if line.starts_with("    pub async fn send(self") {
                *is_builder = true;
            }
            if let Some(signature) = line.strip_prefix("    pub fn ") {
                let takes_self = signature.contains("(mut self") || signature.contains("(self");
                if takes_self && signature.trim_end().ends_with("-> Self {") {
                    options.push(
                        signature
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect(),
                    );
                }
            }
        }
    }
    builders
}

/// `(core handle type, method)` that returns `builder`, e.g. `("ContainersApi", "create")`.
fn maker_of(sources: &[String], builder: &str) -> Option<(String, String)> {
    for source in sources {
        let mut current: Option<String> = None;
        let mut method: Option<String> = None;
        for line in source.lines() {
            if let Some(rest) = line.strip_prefix("impl ") {
                current = rest.strip_suffix(" {").map(str::to_owned);
                continue;
            }
            if let Some(signature) = line
                .strip_prefix("    pub fn ")
                .or_else(|| line.strip_prefix("    pub async fn "))
            {
                method = Some(
                    signature
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect(),
                );
            }
            if line.contains(&format!("-> {builder} {{")) {
                if let (Some(ty), Some(method)) = (current.as_deref(), method.as_deref()) {
                    if is_handle(ty) {
                        return Some((ty.to_owned(), method.to_owned()));
                    }
                }
            }
        }
    }
    None
}

#[test]
fn every_public_option_of_a_send_builder_is_an_argument_in_the_table() {
    let sources = core_sources();
    let builders = send_builders(&sources);
    assert!(
        builders.iter().any(|(name, _)| name == "CreateContainer"),
        "the scan found no CreateContainer builder: did the core's layout change? {builders:?}"
    );
    let mut missing = Vec::new();
    for (builder, options) in &builders {
        let (core_type, method) = maker_of(&sources, builder)
            .unwrap_or_else(|| panic!("no handle method returns the send-builder {builder}"));
        let op = OPERATIONS
            .iter()
            .find(|op| op.core_type == core_type && op.name == method)
            .unwrap_or_else(|| {
                panic!("{core_type}::{method} (makes {builder}) is not in the table")
            });
        for option in options {
            if !op.arguments.iter().any(|arg| arg.name == option) {
                missing.push(format!(
                    "{builder}::{option} (an argument of {}.{})",
                    op.handle, op.name
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "public options of the core's send-builders missing from bindings-common's table (add \
         each as an optional argument of the operation that makes the builder): {missing:?}"
    );
}

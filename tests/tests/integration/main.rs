//! The cross-crate integration tests, in one binary: each file here was a binary of its own,
//! and each linked the client, the simulator and tokio again; one binary compiles and links
//! them once. A new test file goes here with a `mod` line (the test below checks).

mod common;
#[path = "../../../proxmox-api-core/tests/integration/common/fault_proxy.rs"]
mod fault_proxy;

mod aggregate;
mod cluster;
mod containers;
mod nodes;
mod soak;
mod task_paging;
mod templates;
mod users;
mod vnc;

/// A file in this directory that no `mod` line names would silently never run.
#[test]
fn every_file_here_is_a_module() {
    let main = include_str!("main.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let is_module = path.extension().is_some_and(|e| e == "rs") || path.join("mod.rs").exists();
        if is_module && name != "main" {
            assert!(
                main.contains(&format!("mod {name};")),
                "tests/integration/{name} is not a module of main.rs"
            );
        }
    }
}

//! The simulator's integration tests, in one binary: each file here was a binary of its own,
//! and each linked the client, the simulator and tokio again; one binary compiles and links
//! them once. A new test file goes here with a `mod` line (the test below checks).

mod cluster_support;
mod infra_support;

mod access;
mod access_groups;
mod access_tfa_realms;
mod binary;
mod cluster_bench;
mod cluster_conformance;
mod cluster_e2e;
mod cluster_lifecycle;
mod conformance_access;
mod faults;
mod guest_ops;
mod network_faults;
mod qemu_e2e;
mod storage_pools_backup;
mod storage_upload;
mod validation;
mod wire;
mod wire_fidelity;

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

//! The client's integration tests, in one binary: each file here was a binary of its own,
//! and each linked the client, the simulator and tokio again; one binary compiles and links
//! them once. A new test file goes here with a `mod` line (the test below checks).

mod common;

mod compression;
mod domain_requests;
mod domain_tasks;
mod errors;
mod exactly_once;
mod fan_out_wave;
mod fixtures;
mod login;
mod models_robust;
mod renewal;
mod requests;
mod response_limits;
mod retry;
mod secrets;
mod set_password;
mod simulator;
mod skew;
mod tls;
mod truthful_errors;
mod upid;

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

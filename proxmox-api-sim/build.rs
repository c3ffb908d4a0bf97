//! Gzips the embedded PVE API schema: 1.2 MB of JSON becomes about 150 KB in every binary that
//! links the simulator (the Python wheel and the Node addon among them). It is inflated once,
//! when the schema is first used.

use std::io::Write;
use std::path::PathBuf;

fn main() {
    let source = "schema/pve-api-9.1.json";
    println!("cargo:rerun-if-changed={source}");
    let json = std::fs::read(source).expect("read the PVE API schema");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&json).expect("gzip the schema");
    let gz = encoder.finish().expect("gzip the schema");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    std::fs::write(out.join("pve-api-schema.json.gz"), gz).expect("write the gzipped schema");
}

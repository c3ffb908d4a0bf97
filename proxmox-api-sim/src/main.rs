//! `proxmox-api-sim`: runs the simulator and prints one JSON line when ready.

fn main() {
    eprintln!("proxmox-api-sim: not built yet");
    std::process::exit(1);
}

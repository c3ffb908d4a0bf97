//! A stateful Proxmox VE API simulator: HTTPS (or plain HTTP) under `/api2/json`, PVE's wire
//! format, tickets, tokens, ACLs, schema validation, fault injection.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = proxmox_api_sim::Simulator::builder().nodes(3).start().await?;
//! println!("{} {} {}", sim.url(), sim.fingerprint(), sim.user());
//! sim.control().set_node_online("pve2", false);
//! # Ok(()) }
//! ```
//!
//! See `docs/ARCHITECTURE.md` for how the parts fit, and the crate README for the control API.

// Published crate: every public item is documented (the workspace only warns).
#![deny(missing_docs)]

pub mod answer;
pub mod api_error;
pub mod call;
pub mod clock;
pub mod state;

pub mod access;
pub mod builder;
pub mod cluster;
pub mod control;
pub mod faults;
pub mod schema;
pub mod server;
pub mod tls;
pub mod websocket;

pub use builder::{RunningSimulator, Simulator, SimulatorBuilder, StartError};
pub use clock::SimClock;
pub use control::SimControl;

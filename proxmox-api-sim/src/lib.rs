//! A stateful Proxmox VE API simulator.
//!
//! See `docs/ARCHITECTURE.md` for how the parts fit.

pub mod api_error;
pub mod call;
pub mod clock;
pub mod state;

pub mod access;
pub mod cluster;
pub mod faults;

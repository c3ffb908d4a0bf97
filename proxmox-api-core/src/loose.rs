//! Serde helpers for Proxmox VE's loosely typed JSON (integers or strings, `0`/`1`/`""` booleans,
//! numeric strings). Filled in by the models work.

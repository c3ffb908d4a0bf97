//! Python bindings for proxmox-api-core.

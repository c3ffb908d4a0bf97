//! Node.js bindings for proxmox-api-core.

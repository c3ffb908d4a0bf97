//! Typed models of Proxmox VE responses. Every model accepts every recorded fixture meant for it
//! and ignores unknown fields.

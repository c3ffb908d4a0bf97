//! `client.templates()`: container templates across the cluster. Its methods are generated from
//! the operation table (`faces`).

use napi_derive::napi;
use proxmox_api_core::api::TemplatesApi as CoreTemplates;

/// Templates across the cluster. Created by `client.templates()`.
#[napi]
pub struct TemplatesApi {
    pub(crate) inner: CoreTemplates,
}

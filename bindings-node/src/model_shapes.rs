//! The models' shapes as the addon really returns them, for `test/models.test.mjs`: each model of
//! the shared table (`proxmox_api_bindings::models!`) with its fields' camelCase names and
//! TypeScript types (from `mirror::TsType`). The test compares them with the hand-written
//! interfaces of `index.d.ts` (`ts/models.d.ts`, with their TSDoc) and fails on any field that is
//! missing, extra or of another type there, so the typings cannot drift from the addon.

use napi_derive::napi;

/// One field of a model.
#[napi(object, object_from_js = false)]
pub struct FieldShape {
    /// The JavaScript name, e.g. `sslFingerprint`.
    pub name: String,
    /// The TypeScript type, e.g. `string | null`.
    pub ts: String,
}

/// One model of the shared table.
#[napi(object, object_from_js = false)]
pub struct ModelShape {
    /// The interface (or, for `secret`, class) name in `index.d.ts`, e.g. `NodeSummary`.
    pub name: String,
    /// A class whose secret fields are methods (`SessionTicket`, ...), not a plain object.
    pub secret: bool,
    /// The fields in the table's order (the order of the keys in the returned objects).
    pub fields: Vec<FieldShape>,
}

/// Every model the addon returns, with its fields and their TypeScript types.
#[napi]
pub fn model_shapes() -> Vec<ModelShape> {
    crate::mirror::shapes()
        .into_iter()
        .map(|shape| ModelShape {
            name: shape.name.to_owned(),
            secret: shape.secret,
            fields: shape
                .fields
                .into_iter()
                .map(|(name, ts)| FieldShape { name, ts })
                .collect(),
        })
        .collect()
}

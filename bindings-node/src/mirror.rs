//! The Node face's shape of every core model: the fields of the shared model table
//! (`proxmox_api_bindings::models!`, the same the Python binding makes attributes of) by their
//! Rust names, camelCased when written (see `json_text`), so the two bindings agree on every
//! field name (`ssl_fingerprint` / `sslFingerprint`, `kind` for PVE's `type`, `extra` for fields
//! the core does not model). Serialized straight to JSON text with serde, no intermediate tree.
//!
//! [`TsType`] is each field's TypeScript type, next to its [`Mirror`] form, so that
//! `modelShapes()` can tell `test/models.test.mjs` what the interfaces of `index.d.ts` must say.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use proxmox_api_bindings::prelude;
use proxmox_api_core::api::{SameSite, TaskResult};
use proxmox_api_core::models::{self, AclSubject, GuestStatus, NodeOnlineStatus, TaskState};
use proxmox_api_core::tasks::TaskPhase;
use proxmox_api_core::Upid;
use secrecy::SecretString;
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

/// A value in the Node face's shape.
pub trait Mirror {
    /// Writes the value with `serializer`.
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}

/// Serializes a borrowed [`Mirror`] value.
pub struct M<'a, T: ?Sized>(pub &'a T);

impl<T: Mirror + ?Sized> Serialize for M<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.mirror(serializer)
    }
}

/// Values whose serde form is already the Node form (scalars, PVE's own strings, raw JSON).
macro_rules! as_serde {
    ($($ty:ty),* $(,)?) => {$(
        impl Mirror for $ty {
            fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.serialize(serializer)
            }
        }
    )*};
}

as_serde!(
    String, bool, u16, u32, u64, i64, f64, serde_json::Value, GuestStatus, NodeOnlineStatus,
    TaskState, AclSubject, (String, String), BTreeMap<u32, String>,
);

impl<T: Mirror> Mirror for Option<T> {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => value.mirror(serializer),
            None => serializer.serialize_none(),
        }
    }
}

impl<T: Mirror> Mirror for Vec<T> {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self {
            seq.serialize_element(&M(item))?;
        }
        seq.end()
    }
}

impl<T: Mirror> Mirror for BTreeMap<String, T> {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            map.serialize_entry(key, &M(value))?;
        }
        map.end()
    }
}

/// Seconds, as Python's `float`.
impl Mirror for Duration {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_secs_f64())
    }
}

impl Mirror for Upid {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Mirror for TaskPhase {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self {
            TaskPhase::Running => "running",
            TaskPhase::Stopped => "stopped",
        })
    }
}

/// `running`, `OK`, `WARNINGS: n` or the failure text, as in Python.
impl Mirror for TaskResult {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            TaskResult::Running => serializer.serialize_str("running"),
            TaskResult::Ok => serializer.serialize_str("OK"),
            TaskResult::Warnings(n) => serializer.collect_str(&format_args!("WARNINGS: {n}")),
            TaskResult::Failed(text) => serializer.serialize_str(text),
            #[allow(unreachable_patterns)]
            other => serializer.collect_str(&format_args!("{other:?}")),
        }
    }
}

/// The variant's own shape; kinds the core does not know stay as PVE sent them.
impl Mirror for models::ClusterResource {
    fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            models::ClusterResource::Node(r) => r.mirror(serializer),
            models::ClusterResource::Lxc(r) | models::ClusterResource::Qemu(r) => {
                r.mirror(serializer)
            }
            models::ClusterResource::Storage(r) => r.mirror(serializer),
            models::ClusterResource::Other(v) => v.serialize(serializer),
            #[allow(unreachable_patterns)]
            _ => serializer.serialize_none(),
        }
    }
}

/// The TypeScript type of a value as [`Mirror`] writes it (or, for the fields of `secret` models,
/// as the class's getter or method returns it).
pub trait TsType {
    /// The type, as `index.d.ts` spells it.
    fn ts() -> String;
}

/// Types with a fixed TypeScript name.
macro_rules! ts_names {
    ($($ty:ty => $ts:literal),* $(,)?) => {$(
        impl TsType for $ty {
            fn ts() -> String {
                $ts.to_owned()
            }
        }
    )*};
}

ts_names!(
    String => "string", bool => "boolean", u16 => "number", u32 => "number", u64 => "number",
    i64 => "number", f64 => "number", serde_json::Value => "JsonValue",
    GuestStatus => "GuestStatus", NodeOnlineStatus => "NodeOnlineStatus",
    TaskState => "TaskState", AclSubject => "AclSubject", (String, String) => "[string, string]",
    BTreeMap<u32, String> => "Record<string, string>", Duration => "number", Upid => "string",
    TaskPhase => "'running' | 'stopped'", TaskResult => "TaskResult",
    models::ClusterResource => "ClusterResource",
    // Secret models' fields (classes): a secret is revealed by a method returning a string; a
    // time is Unix seconds, as in Python.
    SecretString => "string", SystemTime => "number", SameSite => "string",
);

impl<T: TsType> TsType for Option<T> {
    fn ts() -> String {
        format!("{} | null", T::ts())
    }
}

impl<T: TsType> TsType for Vec<T> {
    fn ts() -> String {
        format!("Array<{}>", T::ts())
    }
}

impl<T: TsType> TsType for BTreeMap<String, T> {
    fn ts() -> String {
        format!("Record<string, {}>", T::ts())
    }
}

/// The TypeScript type of a field, from a projection (no value needed).
fn ts_of<M, T: TsType>(_: fn(&M) -> &T) -> String {
    T::ts()
}

/// A Rust field name as the JavaScript key `json_text` writes for it (`exit_status` ->
/// `exitStatus`).
pub(crate) fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' || c == '-' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// One model as this package returns it (see `model_shapes`).
pub struct Shape {
    /// The interface or class name in `index.d.ts`.
    pub name: &'static str,
    /// A class holding a secret (its secret fields are methods) rather than a plain object.
    pub secret: bool,
    /// `(camelCase name, TypeScript type)` of each field, in the table's order.
    pub fields: Vec<(String, String)>,
}

/// One model of the shared table: `data` models are written by [`Mirror`] (the JSON text that
/// JavaScript parses); `secret` ones are classes of `console.rs`.
macro_rules! mirror_model {
    (data $name:ident $core:ident { $($field:ident),* }) => {
        impl Mirror for prelude::$core {
            fn mirror<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // The real count: serde_json closes an object announced with 0 fields at once.
                let mut object = serializer.serialize_struct("model", [$(stringify!($field)),*].len())?;
                $( object.serialize_field(stringify!($field), &M(&self.$field))?; )*
                object.end()
            }
        }

        impl crate::results::JsonModel for prelude::$core {
            fn ts() -> String {
                <Self as TsType>::ts()
            }
        }

        mirror_model!(@ts $name $core);
    };
    (secret $name:ident $core:ident { $($field:ident),* }) => {
        mirror_model!(@ts $name $core);
    };
    (@ts $name:ident $core:ident) => {
        impl TsType for prelude::$core {
            fn ts() -> String {
                stringify!($name).to_owned()
            }
        }
    };
}

/// The generator for the shared model table (`proxmox_api_bindings::models!`).
macro_rules! mirror_models {
    ($( $(#[doc = $doc:literal])* $kind:ident $name:ident ($core:ident) { $($field:ident),* $(,)? } )*) => {
        $( mirror_model!($kind $name $core { $($field),* }); )*

        /// Every model of the table as this package returns it, in table order.
        pub fn shapes() -> Vec<Shape> {
            vec![$(Shape {
                name: stringify!($name),
                secret: stringify!($kind) == "secret",
                fields: vec![$(
                    (camel(stringify!($field)), ts_of(|m: &prelude::$core| &m.$field)),
                )*],
            }),*]
        }
    };
}

proxmox_api_bindings::models!(mirror_models);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_matches_the_json_writer() {
        for name in [
            "ssl_fingerprint",
            "exit_status",
            "cgroup_mode",
            "n",
            "tfa_locked_until",
        ] {
            let object = BTreeMap::from([(name, 1)]);
            let text = crate::json_text::JsonText::camel(&object).unwrap().0;
            assert_eq!(text, format!("{{\"{}\":1}}", camel(name)));
        }
    }

    #[test]
    fn shapes_follow_the_table() {
        let shapes = shapes();
        assert_eq!(shapes.len(), proxmox_api_bindings::MODELS.len());
        let summary = shapes.iter().find(|s| s.name == "NodeSummary").unwrap();
        assert!(summary
            .fields
            .contains(&("sslFingerprint".to_owned(), "string | null".to_owned())));
        let ticket = shapes.iter().find(|s| s.name == "SessionTicket").unwrap();
        assert!(ticket.secret);
    }
}

//! Results of the methods generated from the operation table (`faces`): [`ToJs`] maps each
//! result type of the table to what crosses to JavaScript and to its TypeScript type. Models take
//! the fast path (their Node shape, [`Mirror`], as JSON text and one `JSON.parse`, or a long list
//! as a tape, `list_tape`), handles become
//! this package's classes, per-node maps are built key by key (`per_node`).

use proxmox_api_bindings::prelude::*;
use proxmox_api_core::Error as CoreError;

use crate::json_text::JsonText;
use crate::list_tape::ModelJs;
use crate::mirror::{Mirror, M};
use crate::per_node::{Catalog, PerNodeResults};

/// A core result as JSON text with camelCase keys.
pub fn json<T: Mirror>(result: Result<T, CoreError>) -> Result<JsonText, CoreError> {
    result.and_then(|value| JsonText::camel(&M(&value)))
}

/// A value that crosses as JSON text: its TypeScript type is an interface of `ts/models.d.ts`
/// (or an array of one, a number, a string).
pub trait JsonModel: Mirror {
    /// The TypeScript type.
    fn ts() -> String;
    /// The value as it crosses: JSON text, or for a long list its tapes (`list_tape`).
    fn to_model_js(&self) -> Result<ModelJs, CoreError> {
        JsonText::camel(&M(self)).map(ModelJs::Json)
    }
}

/// A table result type as JavaScript receives it.
pub trait ToJs {
    /// What napi converts (on the JavaScript thread).
    type Js;
    /// The TypeScript type.
    fn ts() -> String;
    /// Converts the core's value (on the calling thread: a tokio thread for `io` operations).
    fn to_js(self) -> Result<Self::Js, CoreError>;
}

impl<T: JsonModel> ToJs for T {
    type Js = ModelJs;
    fn ts() -> String {
        <T as JsonModel>::ts()
    }
    fn to_js(self) -> Result<ModelJs, CoreError> {
        let js = self.to_model_js()?;
        if matches!(js, ModelJs::Tapes(_)) {
            // The core's decoded list is no longer needed: what it freed goes back to the
            // system before JavaScript builds the objects, so the two never count together.
            drop(self);
            proxmox_api_bindings::freed_memory::return_freed_memory();
        }
        Ok(js)
    }
}

// The models of the shared table implement `JsonModel` in `mirror` (named as their interfaces in
// `ts/models.d.ts`).

/// Any of the kinds of `GET /cluster/resources` (a union in `ts/header.d.ts`).
impl JsonModel for ClusterResource {
    fn ts() -> String {
        "ClusterResource".to_owned()
    }
}

impl JsonModel for u32 {
    fn ts() -> String {
        "number".to_owned()
    }
}

impl JsonModel for String {
    fn ts() -> String {
        "string".to_owned()
    }
}

impl<T: JsonModel + Sync> JsonModel for Vec<T> {
    fn ts() -> String {
        format!("Array<{}>", T::ts())
    }
    fn to_model_js(&self) -> Result<ModelJs, CoreError> {
        ModelJs::list(self)
    }
}

/// The raw `request()` result: PVE's own field names, untyped.
impl ToJs for JsonValue {
    type Js = JsonText;
    fn ts() -> String {
        "unknown".to_owned()
    }
    fn to_js(self) -> Result<JsonText, CoreError> {
        Ok(JsonText::verbatim(&self))
    }
}

impl ToJs for () {
    type Js = ();
    fn ts() -> String {
        "void".to_owned()
    }
    fn to_js(self) -> Result<(), CoreError> {
        Ok(())
    }
}

impl<T: JsonModel> ToJs for PerNode<T> {
    type Js = PerNodeResults;
    fn ts() -> String {
        format!("PerNode<{}>", T::ts())
    }
    fn to_js(self) -> Result<PerNodeResults, CoreError> {
        Ok(PerNodeResults::new(self))
    }
}

impl ToJs for TemplateCatalog {
    type Js = Catalog;
    fn ts() -> String {
        "TemplateCatalog".to_owned()
    }
    fn to_js(self) -> Result<Catalog, CoreError> {
        Ok(Catalog {
            templates: JsonText::camel(&M(&self.templates))?,
            unreachable: self.unreachable.into_iter().collect(),
        })
    }
}

/// Core values that become a class of this package (handles, and values holding secrets).
macro_rules! classes {
    ($($core:ty => $class:ident $(:: $rest:ident)* { $field:ident }),* $(,)?) => {$(
        impl ToJs for $core {
            type Js = crate::$class $(:: $rest)*;
            fn ts() -> String {
                [stringify!($class) $(, stringify!($rest))*].last().copied().unwrap_or_default().to_owned()
            }
            fn to_js(self) -> Result<Self::Js, CoreError> {
                Ok(crate::$class $(:: $rest)* { $field: self })
            }
        }
    )*};
}

classes!(
    NodesApi => nodes::NodesApi { inner },
    NodeApi => nodes::NodeApi { inner },
    ClusterApi => cluster::ClusterApi { inner },
    ContainersApi => containers::ContainersApi { inner },
    ContainerApi => containers::ContainerApi { inner },
    TemplatesApi => templates::TemplatesApi { inner },
    UsersApi => users::UsersApi { inner },
    TasksApi => tasks::TasksApi { inner },
    Task => tasks::Task { inner },
    FanOut => fan_out::FanOut { inner },
    VncProxy => console::VncProxy { inner },
    SessionTicket => console::SessionTicket { inner },
);

impl ToJs for ConsoleSession {
    type Js = crate::console::ConsoleSession;
    fn ts() -> String {
        "ConsoleSession".to_owned()
    }
    fn to_js(self) -> Result<Self::Js, CoreError> {
        Ok(self.into())
    }
}

impl ToJs for ProgressStream {
    type Js = crate::tasks::ProgressStream;
    fn ts() -> String {
        "ProgressStream".to_owned()
    }
    fn to_js(self) -> Result<Self::Js, CoreError> {
        Ok(crate::tasks::ProgressStream {
            inner: tokio::sync::Mutex::new(self),
        })
    }
}

impl ToJs for CreatedContainer {
    type Js = crate::containers::CreatedContainer;
    fn ts() -> String {
        "CreatedContainer".to_owned()
    }
    fn to_js(self) -> Result<Self::Js, CoreError> {
        Ok(crate::containers::CreatedContainer {
            vmid: self.vmid,
            node: self.node,
            task: crate::tasks::Task { inner: self.task },
        })
    }
}

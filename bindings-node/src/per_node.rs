//! Results with one entry per node (`nodes().statusAll()`, `templates().perNode()`,
//! `templates().listAll()`). Node names are data, so these maps are built key by key on the
//! JavaScript thread (a handful of entries) while each node's value takes the JSON path, and a
//! node's failure is a real `ProxmoxError` instance.

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{sys, Env, JsObject, NapiRaw, ValueType};
use proxmox_api_core::Error as CoreError;

use crate::js_error;
use crate::json_text::JsonText;
use crate::mirror::{Mirror, M};

/// `{ [node]: { ok: true, value } | { ok: false, error } }`.
pub struct PerNodeResults(Vec<(String, Result<JsonText, CoreError>)>);

impl PerNodeResults {
    /// Serializes each node's value (on the calling, tokio, thread).
    pub fn new<T: Mirror>(
        per_node: impl IntoIterator<Item = (String, Result<T, CoreError>)>,
    ) -> Self {
        PerNodeResults(
            per_node
                .into_iter()
                .map(|(node, result)| (node, result.and_then(|v| JsonText::camel(&M(&v)))))
                .collect(),
        )
    }

    fn build(self, env: &Env) -> napi::Result<JsObject> {
        let mut object = env.create_object()?;
        for (node, result) in self.0 {
            let mut entry = env.create_object()?;
            match result {
                Ok(value) => {
                    entry.set_named_property("ok", true)?;
                    entry.set_named_property("value", value.parse(env)?)?;
                }
                Err(error) => {
                    entry.set_named_property("ok", false)?;
                    entry.set_named_property("error", js_error::to_js_error(env, &error)?)?;
                }
            }
            object.set_named_property(&node, entry)?;
        }
        Ok(object)
    }
}

/// The merged template catalog: `{ templates, unreachable: { [node]: ProxmoxError } }`.
pub struct Catalog {
    /// The templates, as JSON text.
    pub templates: JsonText,
    /// Nodes that failed or were offline.
    pub unreachable: Vec<(String, CoreError)>,
}

impl Catalog {
    fn build(self, env: &Env) -> napi::Result<JsObject> {
        let mut object = env.create_object()?;
        object.set_named_property("templates", self.templates.parse(env)?)?;
        let mut unreachable = env.create_object()?;
        for (node, error) in &self.unreachable {
            unreachable.set_named_property(node, js_error::to_js_error(env, error)?)?;
        }
        object.set_named_property("unreachable", unreachable)?;
        Ok(object)
    }
}

macro_rules! object_result {
    ($type:ty) => {
        impl TypeName for $type {
            fn type_name() -> &'static str {
                stringify!($type)
            }

            fn value_type() -> ValueType {
                ValueType::Object
            }
        }

        // SAFETY: napi calls `to_napi_value` on the JavaScript thread with the live `env` of the
        // current call, which is what `Env::from_raw` requires.
        #[allow(unsafe_code)]
        impl ToNapiValue for $type {
            unsafe fn to_napi_value(
                env: sys::napi_env,
                val: Self,
            ) -> napi::Result<sys::napi_value> {
                let env = unsafe { Env::from_raw(env) };
                val.build(&env).map(|object| unsafe { object.raw() })
            }
        }
    };
}

object_result!(PerNodeResults);
object_result!(Catalog);

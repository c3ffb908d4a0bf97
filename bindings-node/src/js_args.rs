//! Arguments of the methods generated from the operation table (`faces`): each JavaScript
//! argument arrives as a [`JsArg`] (read on the JavaScript thread, `undefined`/`null` meaning "not
//! given") and becomes the table's Rust type through [`FromJs`], inside the call, so a bad argument
//! rejects with `InvalidInputError` naming the parameter before anything is sent. No conversion
//! error ever echoes the value it refused when the value may be a secret.

use std::time::Duration;

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::{sys, ValueType};
use proxmox_api_bindings::prelude::Secret;
use proxmox_api_core::api::{Placement, ResourceKind};
use proxmox_api_core::models::{RrdConsolidation, RrdTimeframe};
use proxmox_api_core::Error as CoreError;
use serde_json::{Map, Value};

use crate::faces::camel;

/// One JavaScript argument as given: `None` for `undefined` or `null`, else its JSON value (or
/// why it has none, e.g. a function where data was expected).
pub struct JsArg(Option<Result<Value, String>>);

impl JsArg {
    /// The table's Rust value for parameter `name` (its JavaScript name), `None` when not given.
    pub fn convert<T: FromJs>(self, name: &str) -> Result<Option<T>, CoreError> {
        match self.0 {
            None => Ok(None),
            Some(Err(reason)) => Err(CoreError::invalid_input(name, reason)),
            Some(Ok(value)) => T::from_js(value, name).map(Some),
        }
    }
}

/// An options object's members, each converted like the positional argument of the same
/// (camelCase) name; members nobody asks for are ignored, as napi objects ignore them.
pub struct JsOptions(Map<String, Value>);

impl JsArg {
    /// The options object of parameter `name`; not given means no options.
    pub fn into_options(self, name: &str) -> Result<JsOptions, CoreError> {
        match self.0 {
            None => Ok(JsOptions(Map::new())),
            Some(Ok(Value::Object(members))) => Ok(JsOptions(members)),
            Some(_) => Err(CoreError::invalid_input(
                name,
                "must be an object of strings, numbers, booleans and arrays",
            )),
        }
    }
}

impl JsOptions {
    /// The member for table argument `arg` (snake_case), as if it had been passed positionally.
    pub fn take(&mut self, arg: &str) -> JsArg {
        match self.0.remove(&camel(arg)) {
            None | Some(Value::Null) => JsArg(None),
            Some(value) => JsArg(Some(Ok(value))),
        }
    }
}

/// The error of a required argument that was not given.
pub fn missing(name: &str) -> CoreError {
    CoreError::invalid_input(name, "is required")
}

impl TypeName for JsArg {
    fn type_name() -> &'static str {
        "JsArg"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for JsArg {}

// SAFETY: napi calls `from_napi_value` on the JavaScript thread with the current call's `env` and
// one of its arguments, which is what `napi_typeof` and `Value::from_napi_value` require.
#[allow(unsafe_code)]
impl FromNapiValue for JsArg {
    unsafe fn from_napi_value(env: sys::napi_env, napi_val: sys::napi_value) -> napi::Result<Self> {
        let mut kind = 0;
        let status = unsafe { sys::napi_typeof(env, napi_val, &mut kind) };
        if status != sys::Status::napi_ok {
            return Ok(JsArg(Some(Err("could not be read".to_owned()))));
        }
        Ok(JsArg(match kind {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => None,
            sys::ValueType::napi_function | sys::ValueType::napi_symbol => Some(Err(
                "must be data (a string, number, boolean or array)".to_owned(),
            )),
            _ => Some(
                unsafe { Value::from_napi_value(env, napi_val) }
                    .map_err(|_| "must be a string, number, boolean or array".to_owned()),
            ),
        }))
    }
}

/// A table argument type as JavaScript passes it.
pub trait FromJs: Sized {
    /// Its TypeScript type.
    fn ts() -> String;
    /// Converts the given value of parameter `name`.
    fn from_js(value: Value, name: &str) -> Result<Self, CoreError>;
    /// What the TypeScript type does not say (a unit), for the TSDoc `@param` line.
    fn note() -> Option<&'static str> {
        None
    }
}

fn text(value: Value, name: &str) -> Result<String, CoreError> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(CoreError::invalid_input(name, "must be a string")),
    }
}

/// A whole number in `0..=max` (JavaScript numbers are doubles; napi's own u32 would wrap -1).
fn whole(value: &Value, name: &str, max: u64) -> Result<u64, CoreError> {
    let refused = || {
        CoreError::invalid_input(
            name,
            format!("must be a whole number from 0 to {max}, got {value}"),
        )
    };
    match value {
        Value::Number(n) => match n.as_u64() {
            Some(n) if n <= max => Ok(n),
            Some(_) => Err(refused()),
            None => match n.as_f64() {
                Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= max as f64 => Ok(f as u64),
                _ => Err(refused()),
            },
        },
        _ => Err(refused()),
    }
}

/// JavaScript's largest exact integer.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

impl FromJs for String {
    fn ts() -> String {
        "string".to_owned()
    }
    fn from_js(value: Value, name: &str) -> Result<Self, CoreError> {
        text(value, name)
    }
}

impl FromJs for Secret {
    fn ts() -> String {
        "string".to_owned()
    }
    fn from_js(value: Value, name: &str) -> Result<Self, CoreError> {
        text(value, name).map(Secret::new)
    }
}

impl FromJs for bool {
    fn ts() -> String {
        "boolean".to_owned()
    }
    fn from_js(value: Value, name: &str) -> Result<Self, CoreError> {
        match value {
            Value::Bool(b) => Ok(b),
            _ => Err(CoreError::invalid_input(name, "must be a boolean")),
        }
    }
}

impl FromJs for u32 {
    fn ts() -> String {
        "number".to_owned()
    }
    fn from_js(value: Value, name: &str) -> Result<Self, CoreError> {
        whole(&value, name, u64::from(u32::MAX)).map(|n| n as u32)
    }
}

impl FromJs for u64 {
    fn ts() -> String {
        "number".to_owned()
    }
    fn from_js(value: Value, name: &str) -> Result<Self, CoreError> {
        whole(&value, name, MAX_SAFE_INTEGER)
    }
}

impl FromJs for usize {
    fn ts() -> String {
        "number".to_owned()
    }
    fn from_js(value: Value, name: &str) -> Result<Self, CoreError> {
        whole(&value, name, u64::from(u32::MAX)).map(|n| n as usize)
    }
}

/// Durations are milliseconds in JavaScript (`setTimeout`'s unit).
impl FromJs for Duration {
    fn ts() -> String {
        "number".to_owned()
    }
    fn from_js(value: Value, name: &str) -> Result<Self, CoreError> {
        whole(&value, name, MAX_SAFE_INTEGER).map(Duration::from_millis)
    }
    fn note() -> Option<&'static str> {
        Some("in milliseconds")
    }
}

impl<T: FromJs> FromJs for Option<T> {
    fn ts() -> String {
        T::ts()
    }
    fn from_js(value: Value, name: &str) -> Result<Self, CoreError> {
        T::from_js(value, name).map(Some)
    }
    fn note() -> Option<&'static str> {
        T::note()
    }
}

impl FromJs for Vec<String> {
    fn ts() -> String {
        "Array<string>".to_owned()
    }
    fn from_js(value: Value, name: &str) -> Result<Self, CoreError> {
        match value {
            Value::Array(items) => items.into_iter().map(|item| text(item, name)).collect(),
            _ => Err(CoreError::invalid_input(
                name,
                "must be an array of strings",
            )),
        }
    }
}

/// String arguments naming one of the core's enums: `$ts` is the TypeScript union.
macro_rules! string_enum {
    ($ty:ty, $ts:literal, { $($text:literal => $value:expr),* $(,)? }) => {
        impl FromJs for $ty {
            fn ts() -> String {
                $ts.to_owned()
            }
            fn from_js(value: Value, name: &str) -> Result<Self, CoreError> {
                let value = text(value, name)?;
                match value.as_str() {
                    $($text => Ok($value),)*
                    _ => Err(CoreError::invalid_input(
                        name,
                        format!("{value:?} is not one of {}", [$($text),*].join(", ")),
                    )),
                }
            }
        }
    };
}

string_enum!(RrdTimeframe, "'hour' | 'day' | 'week' | 'month' | 'year'", {
    "hour" => RrdTimeframe::Hour,
    "day" => RrdTimeframe::Day,
    "week" => RrdTimeframe::Week,
    "month" => RrdTimeframe::Month,
    "year" => RrdTimeframe::Year,
});

string_enum!(RrdConsolidation, "'AVERAGE' | 'MAX'", {
    "AVERAGE" => RrdConsolidation::Average,
    "MAX" => RrdConsolidation::Max,
});

string_enum!(ResourceKind, "'vm' | 'node' | 'storage' | 'sdn'", {
    "vm" => ResourceKind::Vm,
    "node" => ResourceKind::Node,
    "storage" => ResourceKind::Storage,
    "sdn" => ResourceKind::Sdn,
});

string_enum!(Placement, "'most_free_memory' | 'least_load' | 'most_free_disk'", {
    "most_free_memory" => Placement::MostFreeMemory,
    "least_load" => Placement::LeastLoad,
    "most_free_disk" => Placement::MostFreeDisk,
});

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_whole_and_in_range() {
        assert_eq!(u32::from_js(json!(100), "vmid").unwrap(), 100);
        assert_eq!(u64::from_js(json!(3.0), "limit").unwrap(), 3);
        for bad in [
            json!(-1),
            json!(1.5),
            json!("7"),
            json!(u64::from(u32::MAX) + 1),
        ] {
            let error = u32::from_js(bad, "vmid").unwrap_err();
            assert!(error.parameter_errors().contains_key("vmid"));
        }
        assert_eq!(
            Duration::from_js(json!(5000), "timeout").unwrap(),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn secrets_are_never_echoed() {
        let error = Secret::from_js(json!(12345678), "password").unwrap_err();
        assert!(!error.to_string().contains("12345678"));
    }

    #[test]
    fn options_members_convert_like_positional_arguments() {
        let mut options = JsArg(Some(Ok(json!({ "diskGib": 4, "ostype": null }))))
            .into_options("spec")
            .unwrap();
        assert_eq!(
            options.take("disk_gib").convert::<u32>("disk_gib").unwrap(),
            Some(4)
        );
        assert!(options
            .take("ostype")
            .convert::<String>("ostype")
            .unwrap()
            .is_none());
        assert!(options
            .take("cores")
            .convert::<u32>("cores")
            .unwrap()
            .is_none());
        assert!(JsArg(None).into_options("options").is_ok());
        let error = JsArg(Some(Ok(json!("x"))))
            .into_options("options")
            .err()
            .unwrap();
        assert!(error.parameter_errors().contains_key("options"));
    }

    #[test]
    fn enums_name_their_choices() {
        let error = RrdTimeframe::from_js(json!("decade"), "timeframe").unwrap_err();
        assert!(error.to_string().contains("hour, day, week, month, year"));
        assert_eq!(
            ResourceKind::from_js(json!("vm"), "kind").unwrap(),
            ResourceKind::Vm
        );
    }
}

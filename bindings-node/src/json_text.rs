//! The fast result path: a core model is serialized to JSON text on a tokio thread, and the
//! JavaScript thread turns that text into objects with one `JSON.parse` call. Building objects
//! through N-API instead costs one call per property, 3-4x slower on a 20,000-guest listing.
//!
//! Object keys are written in camelCase (`cgroup-mode` -> `cgroupMode`, `exit_status` ->
//! `exitStatus`), the Node spelling of the field names the Python binding uses in snake_case.
//! Keys are rewritten in the JSON writer itself, so no intermediate tree is built. Maps whose
//! keys are data (per-node results) are never serialized here: see `per_node`.

use std::io;

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{sys, Env, JsFunction, JsObject, NapiRaw, ValueType};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

use crate::mirror::{Mirror, M};

/// JSON text ready for `JSON.parse` on the JavaScript thread.
pub struct JsonText(pub String);

impl JsonText {
    /// Serializes `value` with camelCase keys.
    pub fn camel<T: Serialize + ?Sized>(value: &T) -> Result<Self, proxmox_api_core::Error> {
        let mut out = Vec::with_capacity(256);
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, CamelKeys::default());
        value
            .serialize(&mut serializer)
            .map_err(|e| proxmox_api_core::Error::Decode {
                path: String::new(),
                message: format!("re-encoding the result for JavaScript: {e}"),
            })?;
        // serde_json writes UTF-8 only.
        Ok(JsonText(String::from_utf8(out).unwrap_or_default()))
    }

    /// Serializes a list with camelCase keys; a long one (a large `/cluster/resources`) in
    /// chunks on several threads, joined. Writing the text is, after the core's decode, the
    /// largest part of a big listing's cost on the Rust side, and the entries are independent.
    pub fn camel_list<T: Mirror + Sync>(items: &[T]) -> Result<Self, proxmox_api_core::Error> {
        let mut parts =
            proxmox_api_core::parallel::map_chunks(items, |chunk| Self::camel(&Items(chunk)));
        if parts.len() == 1 {
            // One chunk is the whole list, already written as it should be.
            return parts.remove(0);
        }
        // Each part is `[...]`, never empty: join their insides.
        let mut out = String::with_capacity(
            parts
                .iter()
                .map(|p| p.as_ref().map_or(0, |t| t.0.len()))
                .sum::<usize>()
                + 2,
        );
        out.push('[');
        for (i, part) in parts.into_iter().enumerate() {
            let part = part?;
            if i > 0 {
                out.push(',');
            }
            out.push_str(&part.0[1..part.0.len() - 1]);
        }
        out.push(']');
        Ok(JsonText(out))
    }

    /// Serializes `value` keeping its keys as they are (the raw `request()` result).
    pub fn verbatim(value: &serde_json::Value) -> Self {
        JsonText(value.to_string())
    }

    /// `JSON.parse(text)` on the JavaScript thread.
    pub fn parse(self, env: &Env) -> napi::Result<napi::JsUnknown> {
        let json: JsObject = env.get_global()?.get_named_property("JSON")?;
        let parse: JsFunction = json.get_named_property("parse")?;
        // ASCII text (PVE's listings nearly always are: serde_json escapes nothing else, but
        // names and descriptions may carry UTF-8) is copied as it is into a one-byte V8 string;
        // only other text goes through V8's UTF-8 decoder. Then the Rust copy is freed before
        // `JSON.parse` allocates the objects, so the two never peak together.
        let text = if self.0.is_ascii() {
            let text = env.create_string_latin1(self.0.as_bytes())?;
            drop(self.0);
            text
        } else {
            env.create_string_from_std(self.0)?
        };
        parse.call(Some(&json), &[text])
    }
}

/// A slice written as a JSON array of its items' Node shapes.
struct Items<'a, T>(&'a [T]);

impl<T: Mirror> Serialize for Items<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(M))
    }
}

impl TypeName for JsonText {
    fn type_name() -> &'static str {
        "JsonText"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

// SAFETY: napi calls `to_napi_value` on the JavaScript thread with the live `env` of the current
// call, which is what `Env::from_raw` requires.
#[allow(unsafe_code)]
impl ToNapiValue for JsonText {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = unsafe { Env::from_raw(env) };
        val.parse(&env).map(|value| unsafe { value.raw() })
    }
}

/// serde_json's compact writer, except that the characters of object keys are camelCased:
/// `_x` and `-x` become `X`. Values are never touched.
#[derive(Default)]
struct CamelKeys {
    in_key: bool,
    /// The previous key character was a separator that was dropped.
    upper_next: bool,
    /// At the first character of the key (a leading separator is kept).
    key_start: bool,
}

impl Formatter for CamelKeys {
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.in_key = true;
        self.upper_next = false;
        self.key_start = true;
        CompactFormatter.begin_object_key(w, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.in_key = false;
        CompactFormatter.end_object_key(w)
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // A byte scan: `str::contains` with a char set decodes every character, and this runs
        // for every key of every object (420,000 keys in a 20,000-guest listing).
        let has_separator = |text: &str| text.bytes().any(|b| b == b'_' || b == b'-');
        if !self.in_key || !has_separator(fragment) && !self.upper_next {
            self.key_start = false;
            return w.write_all(fragment.as_bytes());
        }
        let mut camel = String::with_capacity(fragment.len());
        for c in fragment.chars() {
            if (c == '_' || c == '-') && !self.key_start {
                self.upper_next = true;
            } else if self.upper_next {
                camel.extend(c.to_uppercase());
                self.upper_next = false;
            } else {
                camel.push(c);
            }
            self.key_start = false;
        }
        w.write_all(camel.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proxmox_api_core::parallel::PARALLEL_FROM;
    use serde_json::json;

    #[test]
    fn models_are_written_with_their_rust_field_names_camel_cased() {
        let task = proxmox_api_core::models::TaskLogLine {
            n: 1,
            t: "TASK OK".to_owned(),
        };
        let text = JsonText::camel(&crate::mirror::M(&vec![task])).unwrap().0;
        assert_eq!(text, r#"[{"n":1,"t":"TASK OK"}]"#);
        let outcome = proxmox_api_core::api::TaskResult::Warnings(2);
        let text = JsonText::camel(&crate::mirror::M(&outcome)).unwrap().0;
        assert_eq!(text, r#""WARNINGS: 2""#);
    }

    #[test]
    fn long_lists_written_in_chunks_are_the_same_text() {
        for len in [
            0,
            1,
            5,
            PARALLEL_FROM - 1,
            PARALLEL_FROM,
            3 * PARALLEL_FROM + 5,
        ] {
            let lines: Vec<_> = (0..len)
                .map(|i| proxmox_api_core::models::TaskLogLine {
                    n: u64::try_from(i).unwrap(),
                    t: format!("line_{i}"),
                })
                .collect();
            let whole = JsonText::camel(&crate::mirror::M(&lines)).unwrap().0;
            assert_eq!(
                JsonText::camel_list(&lines).unwrap().0,
                whole,
                "{len} items"
            );
        }
    }

    #[test]
    fn keys_become_camel_case_and_values_stay() {
        let text = JsonText::camel(&json!({
            "cgroup-mode": 2,
            "exit_status": "snake_case-value",
            "nested": [{ "ssl_fingerprint": "AA:BB" }],
            "_private": 1,
            "plain": true
        }))
        .unwrap()
        .0;
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            back,
            json!({
                "cgroupMode": 2,
                "exitStatus": "snake_case-value",
                "nested": [{ "sslFingerprint": "AA:BB" }],
                "_private": 1,
                "plain": true
            })
        );
    }
}

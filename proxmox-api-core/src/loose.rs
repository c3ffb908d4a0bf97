//! Serde helpers for Proxmox VE's loosely typed JSON.
//!
//! PVE is written in Perl: a scalar that was once used as a string is emitted as a JSON string, so
//! the schema's types are no guarantee. `/cluster/nextid` answers `"100"`, the VNC port is `"5900"`,
//! `loadavg` is `["0.04","0.10","0.09"]`, booleans are `0`/`1`, `"0"`/`"1"`, `""` (old versions) or
//! `true`/`false`, and `cpu` is a float except when it is the integer `0`.
//!
//! Every helper here is a `deserialize_with` function that accepts all of these spellings without
//! losing precision (a `u64` size never passes through an `f64`), and fails with a message that
//! names the value it got and what it expected. Serialization stays the derived one, so a model
//! serializes its fields with their proper JSON types.
//!
//! The `deserialize_opt_*` variants map JSON `null` and the empty string `""` to `None`; put
//! `#[serde(default)]` on such fields so that an omitted key is `None` too:
//!
//! ```
//! use serde::Deserialize;
//! use proxmox_api_core::loose;
//!
//! #[derive(Deserialize)]
//! struct Example {
//!     #[serde(deserialize_with = "loose::deserialize_u32")]
//!     vmid: u32,
//!     #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
//!     template: Option<bool>,
//! }
//!
//! let e: Example = serde_json::from_str(r#"{"vmid":"100","template":1}"#).unwrap();
//! assert_eq!(e.vmid, 100);
//! assert_eq!(e.template, Some(true));
//! let e: Example = serde_json::from_str(r#"{"vmid":101}"#).unwrap();
//! assert_eq!(e.template, None);
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, SeqAccess, Unexpected, Visitor};
use serde::Deserialize;

/// One JSON scalar as PVE may send it, before it is interpreted.
///
/// Deserialized through `deserialize_any`, so it works with `serde_json::from_str`,
/// `serde_json::from_value` and serde's internal buffering (`flatten`, tagged enums) alike.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'de> {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Str(Cow<'de, str>),
}

impl Scalar<'_> {
    /// How serde describes this value in error messages.
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Scalar::Unsigned(v) => Unexpected::Unsigned(*v),
            Scalar::Signed(v) => Unexpected::Signed(*v),
            Scalar::Float(v) => Unexpected::Float(*v),
            Scalar::Bool(v) => Unexpected::Bool(*v),
            Scalar::Str(s) => Unexpected::Str(s),
        }
    }

    fn is_empty_str(&self) -> bool {
        matches!(self, Scalar::Str(s) if s.trim().is_empty())
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a boolean or a string")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Signed(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Unsigned(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// Integer types that may arrive as JSON numbers or numeric strings.
pub(crate) trait LooseInt: Sized + FromStr + TryFrom<u64> + TryFrom<i64> {
    const EXPECTED: &'static str;
}

macro_rules! loose_int {
    ($($t:ty => $expected:literal),* $(,)?) => {$(
        impl LooseInt for $t {
            const EXPECTED: &'static str = $expected;
        }
    )*};
}

loose_int! {
    u16 => "an integer from 0 to 65535, or a string holding one",
    u32 => "an integer from 0 to 4294967295, or a string holding one",
    u64 => "a non-negative integer, or a string holding one",
    i32 => "a 32-bit integer, or a string holding one",
    i64 => "a 64-bit integer, or a string holding one",
}

/// Largest magnitude below which every integer is exactly representable as an `f64`.
const F64_EXACT_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53

pub(crate) fn scalar_to_int<T: LooseInt, E: de::Error>(value: Scalar<'_>) -> Result<T, E> {
    let invalid = |v: &Scalar<'_>| E::invalid_value(v.unexpected(), &T::EXPECTED);
    match &value {
        Scalar::Unsigned(v) => T::try_from(*v).map_err(|_| invalid(&value)),
        Scalar::Signed(v) => T::try_from(*v).map_err(|_| invalid(&value)),
        // A float is only accepted when it is a whole number that an f64 holds exactly (`100.0`);
        // anything else would silently truncate or round.
        Scalar::Float(v) if v.fract() == 0.0 && v.abs() < F64_EXACT_LIMIT => {
            T::try_from(*v as i64).map_err(|_| invalid(&value))
        }
        Scalar::Str(s) => s.trim().parse::<T>().map_err(|_| invalid(&value)),
        Scalar::Float(_) | Scalar::Bool(_) => Err(invalid(&value)),
    }
}

const FLOAT_EXPECTED: &str = "a number, or a string holding one";

pub(crate) fn scalar_to_f64<E: de::Error>(value: Scalar<'_>) -> Result<f64, E> {
    match &value {
        Scalar::Unsigned(v) => Ok(*v as f64),
        Scalar::Signed(v) => Ok(*v as f64),
        Scalar::Float(v) => Ok(*v),
        Scalar::Str(s) => match s.trim().parse::<f64>() {
            // "NaN" and "inf" parse, but PVE never means them; reject rather than propagate.
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(E::invalid_value(value.unexpected(), &FLOAT_EXPECTED)),
        },
        Scalar::Bool(_) => Err(E::invalid_value(value.unexpected(), &FLOAT_EXPECTED)),
    }
}

const BOOL_EXPECTED: &str = "a boolean, 0 or 1, or one of \"0\", \"1\", \"\", \"true\", \"false\"";

pub(crate) fn scalar_to_bool<E: de::Error>(value: Scalar<'_>) -> Result<bool, E> {
    match &value {
        Scalar::Bool(v) => Ok(*v),
        Scalar::Unsigned(0) | Scalar::Signed(0) => Ok(false),
        Scalar::Unsigned(1) | Scalar::Signed(1) => Ok(true),
        Scalar::Str(s) => match s.trim() {
            // Old PVE versions send "" for false.
            "" | "0" | "false" => Ok(false),
            "1" | "true" => Ok(true),
            _ => Err(E::invalid_value(value.unexpected(), &BOOL_EXPECTED)),
        },
        _ => Err(E::invalid_value(value.unexpected(), &BOOL_EXPECTED)),
    }
}

const STRING_EXPECTED: &str = "a string or a number";

fn scalar_to_string<E: de::Error>(value: Scalar<'_>) -> Result<String, E> {
    match value {
        Scalar::Str(s) => Ok(s.into_owned()),
        Scalar::Unsigned(v) => Ok(v.to_string()),
        Scalar::Signed(v) => Ok(v.to_string()),
        Scalar::Float(v) => Ok(v.to_string()),
        Scalar::Bool(v) => Err(E::invalid_type(Unexpected::Bool(v), &STRING_EXPECTED)),
    }
}

/// Reads an optional scalar: `null` and `""` are `None`.
fn optional<'de, D, T>(
    deserializer: D,
    convert: impl FnOnce(Scalar<'de>) -> Result<T, D::Error>,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
{
    optional_from(Option::<Scalar<'de>>::deserialize(deserializer)?, convert)
}

/// What [`optional`] makes of a scalar already read (`None` for `null`), for decoders that read
/// the JSON themselves: shared, so that both ways give the same result for the same value.
pub(crate) fn optional_from<'de, T, E>(
    value: Option<Scalar<'de>>,
    convert: impl FnOnce(Scalar<'de>) -> Result<T, E>,
) -> Result<Option<T>, E> {
    match value {
        None => Ok(None),
        Some(v) if v.is_empty_str() => Ok(None),
        Some(v) => convert(v).map(Some),
    }
}

macro_rules! int_helpers {
    ($($t:ty: $required:ident, $opt:ident;)*) => {$(
        #[doc = concat!("Deserializes a `", stringify!($t), "` from a JSON number or a numeric string (`100` or `\"100\"`).")]
        ///
        /// Out-of-range values, fractions and non-numeric strings are errors naming the value.
        pub fn $required<'de, D: Deserializer<'de>>(deserializer: D) -> Result<$t, D::Error> {
            scalar_to_int(Scalar::deserialize(deserializer)?)
        }

        #[doc = concat!("Like [`", stringify!($required), "`], for an `Option<", stringify!($t), ">`: `null` and `\"\"` are `None`.")]
        ///
        /// Use with `#[serde(default)]` so an omitted key is `None` as well.
        pub fn $opt<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<$t>, D::Error> {
            optional(deserializer, scalar_to_int)
        }
    )*};
}

int_helpers! {
    u16: deserialize_u16, deserialize_opt_u16;
    u32: deserialize_u32, deserialize_opt_u32;
    u64: deserialize_u64, deserialize_opt_u64;
    i32: deserialize_i32, deserialize_opt_i32;
    i64: deserialize_i64, deserialize_opt_i64;
}

/// Deserializes an `f64` from a JSON number (integer or float) or a numeric string (`"3400.000"`).
pub fn deserialize_f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    scalar_to_f64(Scalar::deserialize(deserializer)?)
}

/// Like [`deserialize_f64`], for an `Option<f64>`: `null` and `""` are `None`.
///
/// Use with `#[serde(default)]` so an omitted key is `None` as well.
pub fn deserialize_opt_f64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    optional(deserializer, scalar_to_f64)
}

/// Deserializes a boolean from `true`/`false`, `0`/`1`, `"0"`/`"1"`, `"true"`/`"false"` or `""`
/// (false, as old PVE versions send it).
pub fn deserialize_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    scalar_to_bool(Scalar::deserialize(deserializer)?)
}

/// Like [`deserialize_bool`], for an `Option<bool>`: `null` is `None`.
///
/// Unlike the numeric helpers, `""` is `Some(false)` here, because that is what old PVE versions
/// meant by it. Use with `#[serde(default)]` so an omitted key is `None`.
pub fn deserialize_opt_bool<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    match Option::<Scalar<'de>>::deserialize(deserializer)? {
        None => Ok(None),
        Some(v) => scalar_to_bool(v).map(Some),
    }
}

/// Deserializes a string that PVE sometimes sends as a number (task `id`, `vmid` in old lists):
/// `"100"` and `100` both become `"100"`.
pub fn deserialize_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    scalar_to_string(Scalar::deserialize(deserializer)?)
}

/// Like [`deserialize_string`], for an `Option<String>`: only `null` is `None` (an empty string is
/// kept, because for strings it can be meaningful, e.g. an empty task id).
pub fn deserialize_opt_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Option::<Scalar<'de>>::deserialize(deserializer)? {
        None => Ok(None),
        Some(v) => scalar_to_string(v).map(Some),
    }
}

/// For optional text where PVE's `""` means "not set" (`lock`, `tags`, `pool`, `hastate`, ...):
/// `null`, `""` and whitespace-only strings are `None`; numbers are accepted as their text.
pub fn deserialize_opt_nonempty_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    opt_nonempty_string_from(Option::<Scalar<'de>>::deserialize(deserializer)?)
}

/// What [`deserialize_opt_nonempty_string`] makes of a scalar already read (`None` for `null`).
pub(crate) fn opt_nonempty_string_from<E: de::Error>(
    value: Option<Scalar<'_>>,
) -> Result<Option<String>, E> {
    match value {
        None => Ok(None),
        Some(Scalar::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => scalar_to_string(v).map(Some),
    }
}

/// Deserializes a string straight into a [`secrecy::SecretString`] (tickets, CSRF tokens, VNC
/// tickets, token secrets), so the plain text never lives in a model's ordinary `String` field.
pub fn deserialize_secret<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<secrecy::SecretString, D::Error> {
    String::deserialize(deserializer).map(secrecy::SecretString::from)
}

/// Like [`deserialize_secret`], for an `Option<SecretString>`: `null` is `None`.
pub fn deserialize_opt_secret<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<secrecy::SecretString>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(secrecy::SecretString::from))
}

struct F64ListVisitor;

impl<'de> Visitor<'de> for F64ListVisitor {
    type Value = Vec<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of numbers or numeric strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element::<Scalar<'de>>()? {
            out.push(scalar_to_f64(item)?);
        }
        Ok(out)
    }
}

/// Deserializes a list of numbers that may be numeric strings, e.g. `loadavg`
/// `["0.04","0.10","0.09"]`.
pub fn deserialize_f64_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<f64>, D::Error> {
    deserializer.deserialize_seq(F64ListVisitor)
}

/// Like [`deserialize_f64_list`], for an `Option<Vec<f64>>`: `null` is `None`.
pub fn deserialize_opt_f64_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<f64>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(transparent)]
    struct Wrapped(#[serde(deserialize_with = "deserialize_f64_list")] Vec<f64>);
    Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|w| w.0))
}

/// Splits a comma-separated string into its trimmed, non-empty parts (`"iso,vztmpl,backup"`);
/// a JSON list of strings is accepted as well. `null` is an empty list.
pub fn deserialize_comma_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrString {
        List(Vec<String>),
        Str(String),
    }
    let parsed = Option::<ListOrString>::deserialize(deserializer)?;
    Ok(match parsed {
        None => Vec::new(),
        Some(ListOrString::List(items)) => items,
        Some(ListOrString::Str(s)) => split_list(&s, ','),
    })
}

/// Splits `s` on `separator` into trimmed, non-empty parts.
pub(crate) fn split_list(s: &str, separator: char) -> Vec<String> {
    s.split(separator)
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    struct Ints {
        #[serde(deserialize_with = "deserialize_u64")]
        a: u64,
    }

    fn u64_of(v: serde_json::Value) -> Result<u64, String> {
        serde_json::from_value::<Ints>(json!({ "a": v }))
            .map(|i| i.a)
            .map_err(|e| e.to_string())
    }

    fn u64_from_text(text: &str) -> Result<u64, String> {
        serde_json::from_str::<Ints>(&format!(r#"{{"a":{text}}}"#))
            .map(|i| i.a)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn u64_accepts_numbers_and_numeric_strings_without_losing_precision() {
        assert_eq!(u64_of(json!(100)), Ok(100));
        assert_eq!(u64_of(json!("100")), Ok(100));
        assert_eq!(u64_of(json!(" 42 ")), Ok(42));
        assert_eq!(u64_of(json!(100.0)), Ok(100));
        // Above 2^53 an f64 would round: both spellings must stay exact.
        assert_eq!(u64_from_text("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(u64_from_text(r#""18446744073709551615""#), Ok(u64::MAX));
        assert_eq!(u64_from_text("9007199254740993"), Ok(9_007_199_254_740_993));
    }

    #[test]
    fn u64_rejects_garbage_naming_the_value() {
        let err = u64_of(json!("abc")).unwrap_err();
        assert!(err.contains("\"abc\""), "{err}");
        assert!(err.contains("non-negative integer"), "{err}");
        let err = u64_of(json!(-1)).unwrap_err();
        assert!(err.contains("-1"), "{err}");
        let err = u64_of(json!(1.5)).unwrap_err();
        assert!(err.contains("1.5"), "{err}");
        assert!(u64_of(json!(true)).is_err());
        assert!(u64_of(json!("")).is_err());
        assert!(u64_of(json!(null)).is_err());
        assert!(u64_of(json!([1])).is_err());
        assert!(u64_from_text("18446744073709551616").is_err());
    }

    #[derive(Debug, Deserialize)]
    struct Small {
        #[serde(deserialize_with = "deserialize_u32")]
        u32: u32,
        #[serde(deserialize_with = "deserialize_i64")]
        i64: i64,
        #[serde(deserialize_with = "deserialize_u16")]
        port: u16,
        #[serde(deserialize_with = "deserialize_i32")]
        i32: i32,
    }

    #[test]
    fn narrower_integers_check_their_range() {
        let ok: Small = serde_json::from_value(
            json!({"u32": "4294967295", "i64": "-5", "port": "5900", "i32": -7}),
        )
        .unwrap();
        assert_eq!((ok.u32, ok.i64, ok.port, ok.i32), (u32::MAX, -5, 5900, -7));
        let err =
            serde_json::from_value::<Small>(json!({"u32": 1, "i64": 1, "port": "65536", "i32": 1}))
                .unwrap_err()
                .to_string();
        assert!(err.contains("65536") && err.contains("0 to 65535"), "{err}");
        let err = serde_json::from_value::<Small>(
            json!({"u32": 4294967296u64, "i64": 1, "port": 1, "i32": 1}),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("4294967296"), "{err}");
        assert!(
            serde_json::from_value::<Small>(json!({"u32": -1, "i64": 1, "port": 1, "i32": 1}))
                .is_err()
        );
    }

    #[derive(Debug, Deserialize)]
    struct Opts {
        #[serde(default, deserialize_with = "deserialize_opt_u64")]
        u: Option<u64>,
        #[serde(default, deserialize_with = "deserialize_opt_i64")]
        i: Option<i64>,
        #[serde(default, deserialize_with = "deserialize_opt_u32")]
        n: Option<u32>,
        #[serde(default, deserialize_with = "deserialize_opt_u16")]
        p: Option<u16>,
        #[serde(default, deserialize_with = "deserialize_opt_i32")]
        s: Option<i32>,
        #[serde(default, deserialize_with = "deserialize_opt_f64")]
        f: Option<f64>,
        #[serde(default, deserialize_with = "deserialize_opt_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "deserialize_opt_string")]
        t: Option<String>,
    }

    #[test]
    fn optional_variants_map_missing_null_and_empty_to_none() {
        let missing: Opts = serde_json::from_value(json!({})).unwrap();
        assert_eq!(
            (missing.u, missing.i, missing.n, missing.p, missing.s, missing.f, missing.b),
            (None, None, None, None, None, None, None)
        );
        assert_eq!(missing.t, None);
        let nulls: Opts = serde_json::from_value(
            json!({"u": null, "i": null, "n": null, "p": null, "s": null, "f": null, "b": null, "t": null}),
        )
        .unwrap();
        assert_eq!(
            (nulls.u, nulls.f, nulls.b, nulls.t),
            (None, None, None, None)
        );
        let empty: Opts =
            serde_json::from_value(json!({"u": "", "i": "", "n": "", "p": "", "s": "", "f": ""}))
                .unwrap();
        assert_eq!(
            (empty.u, empty.i, empty.n, empty.p, empty.s, empty.f),
            (None, None, None, None, None, None)
        );
        let set: Opts = serde_json::from_value(
            json!({"u": "7", "i": -3, "n": "9", "p": 22, "s": "-1", "f": "0.5", "b": "1", "t": 100}),
        )
        .unwrap();
        assert_eq!(
            (set.u, set.i, set.n, set.p, set.s, set.f, set.b),
            (
                Some(7),
                Some(-3),
                Some(9),
                Some(22),
                Some(-1),
                Some(0.5),
                Some(true)
            )
        );
        assert_eq!(set.t.as_deref(), Some("100"));
        let err = serde_json::from_value::<Opts>(json!({"u": "x1"}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"x1\""), "{err}");
        assert!(serde_json::from_value::<Opts>(json!({"f": "fast"})).is_err());
        assert!(serde_json::from_value::<Opts>(json!({"b": 2})).is_err());
    }

    #[derive(Debug, Deserialize)]
    struct Float {
        #[serde(deserialize_with = "deserialize_f64")]
        f: f64,
    }

    fn f64_of(v: serde_json::Value) -> Result<f64, String> {
        serde_json::from_value::<Float>(json!({ "f": v }))
            .map(|x| x.f)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn f64_accepts_floats_integers_and_strings() {
        assert_eq!(f64_of(json!(0.00348605577689243)), Ok(0.00348605577689243));
        assert_eq!(f64_of(json!(0)), Ok(0.0));
        assert_eq!(f64_of(json!(-2)), Ok(-2.0));
        assert_eq!(f64_of(json!("3400.000")), Ok(3400.0));
        assert_eq!(f64_of(json!("1e3")), Ok(1000.0));
        let err = f64_of(json!("fast")).unwrap_err();
        assert!(
            err.contains("\"fast\"") && err.contains("a number"),
            "{err}"
        );
        assert!(f64_of(json!("NaN")).is_err());
        assert!(f64_of(json!("inf")).is_err());
        assert!(f64_of(json!(true)).is_err());
        assert!(f64_of(json!("")).is_err());
    }

    #[derive(Debug, Deserialize)]
    struct Flag {
        #[serde(deserialize_with = "deserialize_bool")]
        b: bool,
    }

    fn bool_of(v: serde_json::Value) -> Result<bool, String> {
        serde_json::from_value::<Flag>(json!({ "b": v }))
            .map(|x| x.b)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn bool_accepts_every_pve_spelling() {
        for truthy in [json!(true), json!(1), json!("1"), json!("true")] {
            assert_eq!(bool_of(truthy.clone()), Ok(true), "{truthy}");
        }
        for falsy in [
            json!(false),
            json!(0),
            json!("0"),
            json!(""),
            json!("false"),
        ] {
            assert_eq!(bool_of(falsy.clone()), Ok(false), "{falsy}");
        }
        let err = bool_of(json!("yes")).unwrap_err();
        assert!(err.contains("\"yes\"") && err.contains("0 or 1"), "{err}");
        let err = bool_of(json!(2)).unwrap_err();
        assert!(err.contains('2'), "{err}");
        assert!(bool_of(json!(null)).is_err());
        assert!(bool_of(json!(0.5)).is_err());
    }

    #[derive(Debug, Deserialize)]
    struct Text {
        #[serde(deserialize_with = "deserialize_string")]
        s: String,
    }

    #[test]
    fn string_accepts_numbers_too() {
        let t: Text = serde_json::from_value(json!({"s": 100})).unwrap();
        assert_eq!(t.s, "100");
        let t: Text = serde_json::from_value(json!({"s": ""})).unwrap();
        assert_eq!(t.s, "");
        let t: Text = serde_json::from_str(r#"{"s":"a\"b"}"#).unwrap();
        assert_eq!(t.s, "a\"b");
        assert!(serde_json::from_value::<Text>(json!({"s": true})).is_err());
        assert!(serde_json::from_value::<Text>(json!({"s": {"x": 1}})).is_err());
    }

    #[derive(Debug, Deserialize)]
    struct Lists {
        #[serde(deserialize_with = "deserialize_f64_list")]
        loadavg: Vec<f64>,
        #[serde(default, deserialize_with = "deserialize_opt_f64_list")]
        opt: Option<Vec<f64>>,
        #[serde(default, deserialize_with = "deserialize_comma_list")]
        content: Vec<String>,
    }

    #[test]
    fn lists_of_numeric_strings_and_comma_lists() {
        let l: Lists = serde_json::from_str(
            r#"{"loadavg":["0.04","0.10",0.09],"opt":[1,"2"],"content":"iso, vztmpl,,backup"}"#,
        )
        .unwrap();
        assert_eq!(l.loadavg, vec![0.04, 0.10, 0.09]);
        assert_eq!(l.opt, Some(vec![1.0, 2.0]));
        assert_eq!(l.content, vec!["iso", "vztmpl", "backup"]);
        let l: Lists = serde_json::from_str(r#"{"loadavg":[],"content":["rootdir"]}"#).unwrap();
        assert!(l.loadavg.is_empty());
        assert_eq!(l.opt, None);
        assert_eq!(l.content, vec!["rootdir"]);
        let err = serde_json::from_str::<Lists>(r#"{"loadavg":["0.1","high"]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"high\""), "{err}");
        assert!(serde_json::from_str::<Lists>(r#"{"loadavg":"0.1"}"#).is_err());
    }

    #[test]
    fn works_inside_flattened_and_buffered_structs() {
        #[derive(Debug, Deserialize)]
        struct Outer {
            #[serde(flatten)]
            inner: Ints,
            #[serde(flatten)]
            rest: std::collections::BTreeMap<String, serde_json::Value>,
        }
        let o: Outer = serde_json::from_str(r#"{"a":"18446744073709551615","b":1}"#).unwrap();
        assert_eq!(o.inner.a, u64::MAX);
        assert_eq!(o.rest["b"], json!(1));
    }
}

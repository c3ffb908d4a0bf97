//! Validation of a request's parameters against its method's schema, in PVE's wording.

use std::collections::BTreeMap;

use super::formats;
use super::param::{Format, ParamDef, ParamType, Params, Pattern};
use super::MethodDef;
use crate::api_error::ApiError;

const NOT_OPTIONAL: &str = "property is missing and it is not optional";
const NOT_IN_SCHEMA: &str =
    "property is not defined in schema and the schema does not allow additional properties";

/// Validates path placeholders and request parameters: a 400 "Parameter verification failed."
/// with every failing parameter's reason, or `Ok`.
pub fn validate(
    method: &MethodDef,
    path_params: &BTreeMap<String, String>,
    params: &BTreeMap<String, Vec<String>>,
) -> Result<(), ApiError> {
    let mut errors: Option<BTreeMap<String, String>> = None;
    let mut fail = |name: &str, reason: String| {
        errors
            .get_or_insert_with(BTreeMap::new)
            .insert(name.to_owned(), reason);
    };
    let schema = &method.params;
    for (name, value) in path_params {
        if let Some(def) = schema.lookup(name) {
            if let Err(reason) = check_value(def, value) {
                fail(name, reason);
            }
        }
    }
    for (name, values) in params {
        if path_params.contains_key(name) {
            continue;
        }
        let Some(def) = schema.lookup(name) else {
            if !schema.additional {
                fail(name, NOT_IN_SCHEMA.to_owned());
            }
            continue;
        };
        let result = if def.kind == ParamType::Array {
            let item = def.items.as_deref().unwrap_or(def);
            values.iter().try_for_each(|v| check_value(item, v))
        } else {
            // PVE keeps the last of repeated scalar keys; all must still be valid.
            values.iter().try_for_each(|v| check_value(def, v))
        };
        if let Err(reason) = result {
            fail(name, reason);
        }
    }
    for (name, def) in &schema.named {
        if !def.optional && !path_params.contains_key(name) && !params.contains_key(name) {
            fail(name, NOT_OPTIONAL.to_owned());
        }
    }
    match errors {
        Some(errors) => Err(ApiError::params(errors)),
        None => Ok(()),
    }
}

/// Checks one scalar value: type, format, pattern, length, range, enumeration (PVE's order).
fn check_value(def: &ParamDef, value: &str) -> Result<(), String> {
    let number = match def.kind {
        ParamType::Integer => Some(
            parse_integer(value)
                .ok_or_else(|| format!("type check ('integer') failed - got '{value}'"))?,
        ),
        ParamType::Number => Some(
            parse_number(value)
                .ok_or_else(|| format!("type check ('number') failed - got '{value}'"))?,
        ),
        ParamType::Boolean => {
            if parse_bool(value).is_none() {
                return Err(format!("type check ('boolean') failed - got '{value}'"));
            }
            None
        }
        _ => None,
    };
    match &def.format {
        Format::None => {}
        Format::Named(name) => {
            formats::check(name, value).map_err(|m| format!("invalid format - {m}"))?
        }
        Format::Object(keys) => check_property_string(keys, value)?,
    }
    if let Some(re) = def.pattern.as_ref().and_then(Pattern::regex) {
        if !re.is_match(value) {
            return Err("value does not match the regex pattern".to_owned());
        }
    }
    if let Some(max) = def.max_length {
        if value.chars().count() > max {
            return Err(format!("value may only be {max} characters long"));
        }
    }
    if let Some(min) = def.min_length {
        if value.chars().count() < min {
            return Err(format!("value must be at least {min} characters long"));
        }
    }
    if let Some(n) = number {
        if let Some(max) = def.maximum {
            if n > max {
                return Err(format!("value must have a maximum value of {}", show(max)));
            }
        }
        if let Some(min) = def.minimum {
            if n < min {
                return Err(format!("value must have a minimum value of {}", show(min)));
            }
        }
    }
    if let Some(values) = &def.enumeration {
        if !values.iter().any(|v| v == value) {
            return Err(format!(
                "value '{value}' does not have a value in the enumeration '{}'",
                values.join(", ")
            ));
        }
    }
    Ok(())
}

/// A `key=value,...` property string (`net0`, `rootfs`, ...): keys must be known, values valid.
fn check_property_string(keys: &Params, value: &str) -> Result<(), String> {
    let mut seen: Vec<&str> = Vec::new();
    let duplicate = |key: &str| {
        format!("invalid format - duplicate key in comma-separated list property: {key}")
    };
    for part in value.split(',').filter(|p| !p.is_empty()) {
        let (key, item) = match part.split_once('=') {
            Some((k, v)) => (k, v),
            None => match keys.default_key() {
                Some(k) => (k, part),
                None => {
                    return Err(format!(
                        "invalid format - value without key, but schema does not define a default key: '{part}'"
                    ))
                }
            },
        };
        let invalid = |key: &str| {
            format!("invalid format - invalid key in comma-separated list property: {key}")
        };
        let Some(mut def) = keys.lookup(key) else {
            return Err(invalid(key));
        };
        if seen.contains(&key) {
            return Err(duplicate(key));
        }
        // PVE::JSONSchema::parse_property_string: an alias stands for its target key, and a
        // key alias (`virtio=<mac>`) also sets that key (`model`) to the alias' own name.
        let mut key = key;
        if let Some(target) = &def.alias {
            if let Some(key_alias) = &def.key_alias {
                if seen.contains(&key_alias.as_str()) {
                    return Err(format!(
                        "invalid format - key alias '{key_alias}' is already defined"
                    ));
                }
                seen.push(key_alias.as_str());
            }
            let Some((name, target_def)) = keys.named.get_key_value(target.as_str()) else {
                return Err(invalid(target));
            };
            key = name.as_str();
            def = target_def;
            if seen.contains(&key) {
                return Err(duplicate(key));
            }
        }
        seen.push(key);
        check_value(def, item).map_err(|m| format!("invalid format - format error\n{key}: {m}"))?;
    }
    for (key, def) in &keys.named {
        if !def.optional && def.alias.is_none() && !seen.contains(&key.as_str()) {
            return Err(format!(
                "invalid format - format error\n{key}: {NOT_OPTIONAL}"
            ));
        }
    }
    Ok(())
}

/// `100` rather than `100.0` for whole bounds, as Perl prints them.
fn show(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn parse_integer(value: &str) -> Option<f64> {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<f64>().ok()
}

fn parse_number(value: &str) -> Option<f64> {
    let trimmed = value.strip_prefix(['+', '-']).unwrap_or(value);
    let plain = !trimmed.is_empty()
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && trimmed.as_bytes()[0] != b'e'
        && trimmed.as_bytes()[0] != b'E';
    if !plain {
        return None;
    }
    value.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// PVE's boolean spellings.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn run(path: &str, method: http::Method, params: &[(&str, &str)]) -> Result<(), ApiError> {
        let route = Schema::get().route(path).expect("route");
        let def = route.method(&method).expect("method");
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in params {
            map.entry((*k).to_owned())
                .or_default()
                .push((*v).to_owned());
        }
        validate(def, &route.path_params, &map)
    }

    fn errors(r: Result<(), ApiError>) -> BTreeMap<String, String> {
        let e = r.expect_err("should fail");
        assert_eq!(e.status, 400);
        assert_eq!(e.message, "Parameter verification failed.");
        e.errors.expect("errors map")
    }

    #[test]
    fn lxc_create_wording() {
        let e = errors(run(
            "/nodes/pve1/lxc",
            http::Method::POST,
            &[
                ("vmid", "abc"),
                ("cores", "0"),
                ("arch", "sparc"),
                ("bogus", "1"),
            ],
        ));
        assert_eq!(e["vmid"], "type check ('integer') failed - got 'abc'");
        assert_eq!(e["cores"], "value must have a minimum value of 1");
        assert!(e["arch"]
            .starts_with("value 'sparc' does not have a value in the enumeration 'amd64, i386"));
        assert_eq!(
            e["bogus"],
            "property is not defined in schema and the schema does not allow additional properties"
        );
        assert_eq!(
            e["ostemplate"],
            "property is missing and it is not optional"
        );
    }

    #[test]
    fn property_strings_and_formats() {
        let ok = run(
            "/nodes/pve1/lxc",
            http::Method::POST,
            &[
                ("vmid", "100"),
                (
                    "ostemplate",
                    "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
                ),
                ("net0", "name=eth0,bridge=vmbr0,ip=dhcp"),
                ("rootfs", "local-lvm:8"),
            ],
        );
        assert!(ok.is_ok(), "{ok:?}");
        let e = errors(run(
            "/nodes/pve1/lxc",
            http::Method::POST,
            &[
                ("vmid", "100"),
                ("ostemplate", "local:vztmpl/x.tar.zst"),
                ("net0", "name=eth0,colour=blue"),
            ],
        ));
        assert!(
            e["net0"].contains("invalid key in comma-separated list property: colour"),
            "{e:?}"
        );
        let e = errors(run("/nodes/bad_node/status", http::Method::GET, &[]));
        assert_eq!(
            e["node"],
            "invalid format - value does not look like a valid node name"
        );
        let e = errors(run(
            "/access/users",
            http::Method::POST,
            &[("userid", "nobody"), ("email", "not-an-email")],
        ));
        assert_eq!(
            e["userid"],
            "invalid format - value 'nobody' does not look like a valid user name"
        );
        assert_eq!(
            e["email"],
            "invalid format - value does not look like a valid email address"
        );
        let e = errors(run(
            "/nodes/pve1/lxc/100/status/start",
            http::Method::POST,
            &[("skiplock", "maybe")],
        ));
        assert_eq!(e["skiplock"], "type check ('boolean') failed - got 'maybe'");
    }
}

//! Request parameters: query string, form-urlencoded or JSON bodies, into one multimap.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api_error::ApiError;

/// Parameters by name; repeated keys keep every value in order.
pub type ParamMap = BTreeMap<String, Vec<String>>;

/// Adds the pairs of an `application/x-www-form-urlencoded` string (or query string).
pub fn parse_urlencoded(input: &[u8], into: &mut ParamMap) {
    for pair in input.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (key, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        into.entry(decode(key)).or_default().push(decode(value));
    }
}

fn decode(raw: &[u8]) -> String {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&plus_as_space)
        .decode_utf8_lossy()
        .into_owned()
}

/// Adds the members of a JSON object body; scalars as PVE reads them (booleans as `1`/`0`),
/// arrays as repeated values.
pub fn parse_json(input: &[u8], into: &mut ParamMap) -> Result<(), ApiError> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let value: Value = serde_json::from_slice(input)
        .map_err(|e| ApiError::new(400, format!("failed to parse JSON body - {e}")))?;
    let Value::Object(map) = value else {
        return Err(ApiError::new(400, "JSON body is not an object"));
    };
    for (key, value) in map {
        let values = into.entry(key).or_default();
        match value {
            Value::Array(items) => values.extend(items.into_iter().filter_map(scalar)),
            other => values.extend(scalar(other)),
        }
    }
    Ok(())
}

fn scalar(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Bool(b) => Some(if b { "1" } else { "0" }.to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_and_json() {
        let mut m = ParamMap::new();
        parse_urlencoded(b"a=1&b=x+y&b=%2Fz&flag", &mut m);
        assert_eq!(m["a"], ["1"]);
        assert_eq!(m["b"], ["x y", "/z"]);
        assert_eq!(m["flag"], [""]);
        let mut m = ParamMap::new();
        parse_json(br#"{"n":5,"t":true,"l":["a","b"],"z":null}"#, &mut m).unwrap();
        assert_eq!(m["n"], ["5"]);
        assert_eq!(m["t"], ["1"]);
        assert_eq!(m["l"], ["a", "b"]);
        assert!(m["z"].is_empty());
        assert!(parse_json(b"[1]", &mut ParamMap::new()).is_err());
    }
}

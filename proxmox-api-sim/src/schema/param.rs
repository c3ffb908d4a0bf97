//! Parameter definitions, parsed once from the schema's `parameters` objects.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

/// A schema `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// `string` (and anything the simulator does not check further).
    String,
    /// `integer`.
    Integer,
    /// `number`.
    Number,
    /// `boolean`: `1/0`, `true/false`, `yes/no`, `on/off`.
    Boolean,
    /// `array` (repeated keys), items described by [`ParamDef::items`].
    Array,
    /// Anything else (`object`, `null`, ...): accepted as given.
    Other,
}

/// The `format` of a string parameter.
#[derive(Debug, Clone)]
pub enum Format {
    /// No format.
    None,
    /// A named PVE format (`pve-vmid`, `email`, ...).
    Named(String),
    /// A property string (`key=value,...`) with its own keys.
    Object(Box<Params>),
}

/// One parameter's definition.
#[derive(Debug, Clone)]
pub struct ParamDef {
    /// Name (`net[n]` style names are stored by their prefix in [`Params::indexed`]).
    pub name: String,
    /// Type.
    pub kind: ParamType,
    /// Whether it may be left out.
    pub optional: bool,
    /// Allowed values.
    pub enumeration: Option<Vec<String>>,
    /// Lower bound.
    pub minimum: Option<f64>,
    /// Upper bound.
    pub maximum: Option<f64>,
    /// Maximal length of a string.
    pub max_length: Option<usize>,
    /// Minimal length of a string.
    pub min_length: Option<usize>,
    /// `pattern`, anchored and compiled on first use.
    pub pattern: Option<Pattern>,
    /// `format`.
    pub format: Format,
    /// For arrays: the items' definition.
    pub items: Option<Box<ParamDef>>,
    /// For property strings: the key a bare value binds to.
    pub default_key: bool,
    /// For property strings: this key is another name for `alias` (`volume` for `file`), and
    /// with `key_alias` it also sets that key to its own name (`virtio=<mac>` sets `model`).
    pub alias: Option<String>,
    /// See `alias`.
    pub key_alias: Option<String>,
}

/// The parameters of one method (or the keys of one property string).
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// Parameters by exact name.
    pub named: HashMap<String, ParamDef>,
    /// `net[n]`-style parameters by prefix (`net`): match `net0`, `net1`, ...
    pub indexed: Vec<(String, ParamDef)>,
    /// Whether unknown parameters are accepted.
    pub additional: bool,
}

impl Params {
    /// Parses a schema `parameters` object (or a `format` object for property strings).
    pub fn from_schema(parameters: Option<&Value>) -> Params {
        let Some(parameters) = parameters else {
            return Params {
                additional: false,
                ..Params::default()
            };
        };
        let additional = parameters
            .get("additionalProperties")
            .map(super::truthy)
            .unwrap_or(true);
        let mut out = Params {
            additional,
            ..Params::default()
        };
        if let Some(props) = parameters.get("properties").and_then(Value::as_object) {
            out.add_properties(props);
        }
        out
    }

    fn add_properties(&mut self, props: &serde_json::Map<String, Value>) {
        for (name, def) in props {
            let parsed = ParamDef::from_schema(name, def);
            if let Some(prefix) = name.strip_suffix("[n]") {
                self.indexed.push((prefix.to_owned(), parsed));
            } else {
                self.named.insert(name.clone(), parsed);
            }
        }
    }

    /// The definition that applies to a given key.
    pub fn lookup(&self, key: &str) -> Option<&ParamDef> {
        if let Some(def) = self.named.get(key) {
            return Some(def);
        }
        self.indexed.iter().find_map(|(prefix, def)| {
            let rest = key.strip_prefix(prefix.as_str())?;
            (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then_some(def)
        })
    }

    /// The key a bare value in a property string binds to.
    pub fn default_key(&self) -> Option<&str> {
        self.named
            .values()
            .find(|d| d.default_key)
            .map(|d| d.name.as_str())
    }
}

impl ParamDef {
    fn from_schema(name: &str, def: &Value) -> ParamDef {
        let kind = match def.get("type").and_then(Value::as_str).unwrap_or("string") {
            "string" => ParamType::String,
            "integer" => ParamType::Integer,
            "number" => ParamType::Number,
            "boolean" => ParamType::Boolean,
            "array" => ParamType::Array,
            _ => ParamType::Other,
        };
        let format = match def.get("format") {
            Some(Value::String(f)) => Format::Named(f.clone()),
            Some(Value::Object(keys)) => {
                let mut params = Params::default();
                params.add_properties(keys);
                Format::Object(Box::new(params))
            }
            _ => Format::None,
        };
        ParamDef {
            name: name.to_owned(),
            kind,
            optional: def.get("optional").map(super::truthy).unwrap_or(false),
            enumeration: def.get("enum").and_then(Value::as_array).map(|values| {
                values
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            }),
            minimum: def.get("minimum").and_then(number),
            maximum: def.get("maximum").and_then(number),
            max_length: def.get("maxLength").and_then(number).map(|n| n as usize),
            min_length: def.get("minLength").and_then(number).map(|n| n as usize),
            pattern: def.get("pattern").and_then(Value::as_str).map(Pattern::new),
            format,
            items: def
                .get("items")
                .map(|items| Box::new(ParamDef::from_schema(name, items))),
            default_key: def.get("default_key").map(super::truthy).unwrap_or(false),
            alias: def.get("alias").and_then(Value::as_str).map(str::to_owned),
            key_alias: def
                .get("keyAlias")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}

/// Numbers in the schema are sometimes strings (`"minimum": "0"`).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A parameter's `pattern`, compiled when a value is first checked against it.
///
/// The schema has 281 patterns and a call checks a handful. Compiled all at once when the
/// schema was loaded, they made a simulator's first answer (process start to a login) take
/// 544-706 ms instead of 305-352 ms (`ci` build, busy machine): paid by every test process and
/// every user's test suite that starts one.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    fn new(source: &str) -> Pattern {
        Pattern {
            source: source.to_owned(),
            compiled: OnceLock::new(),
        }
    }

    /// The anchored regex (`None` when Rust's regex cannot express the pattern).
    pub fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| compile_perl_pattern(&self.source))
            .as_ref()
    }
}

/// Perl's `(?^:...)`/`(?^i:...)` stringified regexes into an anchored Rust regex, as PVE matches
/// them (`m/^$pattern$/`).
fn compile_perl_pattern(pattern: &str) -> Option<Regex> {
    let converted = pattern.replace("(?^:", "(?:").replace("(?^i:", "(?i:");
    Regex::new(&format!("^(?:{converted})$")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_perl_patterns() {
        let re = compile_perl_pattern("(?^:[A-Za-z][A-Za-z0-9\\.\\-_]+)").unwrap();
        assert!(re.is_match("mytoken"));
        assert!(!re.is_match("1token"));
        assert!(!re.is_match("my token"));
    }

    #[test]
    fn indexed_names_match_digits_only() {
        let schema = serde_json::json!({"additionalProperties": 0, "properties": {
            "net[n]": {"type": "string", "optional": 1}}});
        let params = Params::from_schema(Some(&schema));
        assert!(params.lookup("net0").is_some());
        assert!(params.lookup("net12").is_some());
        assert!(params.lookup("net").is_none());
        assert!(params.lookup("netx").is_none());
        assert!(!params.additional);
    }
}

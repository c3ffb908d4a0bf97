//! The official PVE API schema, embedded: route table, parameter definitions, permissions.
//!
//! The JSON is parsed once, lazily ([`Schema::get`]), into a trie of path segments so that
//! routing a request costs one hash lookup per segment.

mod formats;
mod param;
mod validate;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use serde_json::Value;

pub use param::{ParamDef, ParamType, Params};
pub use validate::validate;

/// The schema file `schema/pve-api-9.1.json`, gzipped by `build.rs` to keep binaries small.
static SCHEMA_JSON_GZ: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pve-api-schema.json.gz"));

/// The schema's JSON text, inflated from the embedded gzip.
fn schema_json() -> Vec<u8> {
    use std::io::Read;
    let mut json = Vec::with_capacity(SCHEMA_JSON_GZ.len() * 8);
    flate2::read::GzDecoder::new(SCHEMA_JSON_GZ)
        .read_to_end(&mut json)
        .expect("embedded schema is valid gzip");
    json
}

/// One method of the schema (`GET /nodes/{node}/status`, ...).
#[derive(Debug)]
pub struct MethodDef {
    /// HTTP method.
    pub method: http::Method,
    /// Path template, e.g. `/nodes/{node}/lxc/{vmid}`.
    pub template: String,
    /// The schema's parameter definitions (path placeholders included).
    pub params: Params,
    /// The schema's `permissions` object (`check`, `user`), `Null` when absent.
    pub permissions: Value,
    /// Whether API tokens may call it (`allowtoken`, default 1).
    pub allow_token: bool,
}

/// One node of the route trie.
#[derive(Debug, Default)]
struct RouteNode {
    literal: HashMap<String, RouteNode>,
    placeholder: Option<(String, Box<RouteNode>)>,
    template: String,
    methods: Vec<Arc<MethodDef>>,
}

/// A matched route: the template's methods and the decoded placeholder values.
#[derive(Debug)]
pub struct RouteMatch<'a> {
    node: &'a RouteNode,
    /// Values of the template's `{placeholders}`, percent-decoded.
    pub path_params: BTreeMap<String, String>,
}

impl<'a> RouteMatch<'a> {
    /// The path template that matched.
    pub fn template(&self) -> &'a str {
        &self.node.template
    }

    /// The definition of `method` on this path, if the schema has one.
    pub fn method(&self, method: &http::Method) -> Option<&'a Arc<MethodDef>> {
        self.node.methods.iter().find(|m| m.method == *method)
    }
}

/// The parsed schema.
#[derive(Debug)]
pub struct Schema {
    root: RouteNode,
    method_count: usize,
}

impl Schema {
    /// The embedded schema, parsed on first use.
    pub fn get() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            let tree: Value =
                serde_json::from_slice(&schema_json()).expect("embedded schema is valid JSON");
            Schema::from_tree(&tree)
        })
    }

    fn from_tree(tree: &Value) -> Schema {
        let mut schema = Schema {
            root: RouteNode::default(),
            method_count: 0,
        };
        let mut stack: Vec<&Value> = tree
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        while let Some(node) = stack.pop() {
            if let Some(children) = node.get("children").and_then(Value::as_array) {
                stack.extend(children.iter());
            }
            let Some(path) = node.get("path").and_then(Value::as_str) else {
                continue;
            };
            let Some(info) = node.get("info").and_then(Value::as_object) else {
                continue;
            };
            let mut added = 0;
            let route = schema.insert_path(path);
            route.template = path.to_owned();
            for (method_name, def) in info {
                let Ok(method) = http::Method::from_bytes(method_name.as_bytes()) else {
                    continue;
                };
                let allow_token = def.get("allowtoken").map(truthy).unwrap_or(true);
                route.methods.push(Arc::new(MethodDef {
                    method,
                    template: path.to_owned(),
                    params: Params::from_schema(def.get("parameters")),
                    permissions: def.get("permissions").cloned().unwrap_or(Value::Null),
                    allow_token,
                }));
                added += 1;
            }
            schema.method_count += added;
        }
        schema.add_root_index();
        schema
    }

    /// `GET /` (PVE::API2's directory index) is not in the API viewer's schema, which lists
    /// the children of the root only; PVE serves it to any authenticated user.
    fn add_root_index(&mut self) {
        if !self.root.methods.is_empty() {
            return;
        }
        let parameters = serde_json::json!({ "additionalProperties": 0, "properties": {} });
        self.root.template = "/".to_owned();
        self.root.methods.push(Arc::new(MethodDef {
            method: http::Method::GET,
            template: "/".to_owned(),
            params: Params::from_schema(Some(&parameters)),
            permissions: serde_json::json!({ "user": "all" }),
            allow_token: true,
        }));
        self.method_count += 1;
    }

    fn insert_path(&mut self, path: &str) -> &mut RouteNode {
        let mut node = &mut self.root;
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            node = if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let slot = node
                    .placeholder
                    .get_or_insert_with(|| (name.to_owned(), Box::default()));
                &mut slot.1
            } else {
                node.literal.entry(segment.to_owned()).or_default()
            };
        }
        node
    }

    /// Number of methods in the schema.
    pub fn method_count(&self) -> usize {
        self.method_count
    }

    /// Routes a path (below `/api2/json`, still percent-encoded) to its schema node.
    /// Literal segments win over placeholders, as in PVE's router.
    pub fn route(&self, path: &str) -> Option<RouteMatch<'_>> {
        let mut node = &self.root;
        let mut path_params = BTreeMap::new();
        for raw in path.split('/').filter(|s| !s.is_empty()) {
            let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
            if let Some(next) = node.literal.get(decoded.as_ref()) {
                node = next;
            } else if let Some((name, next)) = &node.placeholder {
                path_params.insert(name.clone(), decoded.into_owned());
                node = next;
            } else {
                return None;
            }
        }
        if node.methods.is_empty() {
            return None;
        }
        Some(RouteMatch { node, path_params })
    }
}

/// PVE's loose boolean in schema attributes (`1`, `"1"`, `true`).
fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !(s.is_empty() || s == "0"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_templates_and_decodes_segments() {
        let schema = Schema::get();
        assert!(schema.method_count() > 600, "{}", schema.method_count());
        let m = schema.route("/nodes/pve1/lxc/100/status/current").unwrap();
        assert_eq!(m.template(), "/nodes/{node}/lxc/{vmid}/status/current");
        assert_eq!(m.path_params["node"], "pve1");
        assert_eq!(m.path_params["vmid"], "100");
        let m = schema
            .route("/nodes/pve1/storage/local/content/local%3Avztmpl%2Fdebian.tar.zst")
            .unwrap();
        assert_eq!(m.path_params["volume"], "local:vztmpl/debian.tar.zst");
        assert!(schema.route("/nodes/pve1/bogus").is_none());
        let m = schema.route("/version").unwrap();
        assert!(m.method(&http::Method::GET).is_some());
        assert!(m.method(&http::Method::POST).is_none());
    }
}

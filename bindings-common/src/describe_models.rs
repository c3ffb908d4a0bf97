//! The model table as data ([`MODELS`]), and a compile check that every entry lists every field
//! of its core type, both produced by expanding [`models!`](crate::models) with generators of
//! this crate (the same way the bindings do).

#[allow(unused_imports)] // the table names these
use crate::prelude::*;

/// How a model crosses to the bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// Plain data: Python's frozen class, Node's plain object (JSON text) with a TypeScript
    /// interface.
    Data,
    /// Holds a secret: Python's class with `Secret` fields, Node's class whose secret fields are
    /// methods (never enumerable properties).
    Secret,
}

/// One model of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Model {
    /// The binding-side class name (Python class, TypeScript interface or class).
    pub name: &'static str,
    /// The core type, as [`prelude`](crate::prelude) names it.
    pub core_type: &'static str,
    /// Plain data or holding a secret.
    pub kind: ModelKind,
    /// The fields by their Rust (snake_case) names, in order.
    pub fields: &'static [&'static str],
    /// The doc comment's lines.
    pub doc: &'static [&'static str],
}

#[doc(hidden)]
#[macro_export]
macro_rules! __model_kind {
    (data) => {
        $crate::ModelKind::Data
    };
    (secret) => {
        $crate::ModelKind::Secret
    };
}

macro_rules! describe_models {
    ( $( $(#[doc = $doc:literal])* $kind:ident $name:ident ($core:ident) { $($field:ident),* $(,)? } )* ) => {
        /// Every model of the table, in table order.
        pub const MODELS: &[Model] = &[ $( Model {
            name: stringify!($name),
            core_type: stringify!($core),
            kind: $crate::__model_kind!($kind),
            fields: &[ $( stringify!($field) ),* ],
            doc: &[ $($doc),* ],
        }, )* ];
    };
}

crate::models!(describe_models);

/// Destructures each core type with exactly the table's fields and no `..`: a field the core adds
/// (or renames) and the table does not list is a compile error here, before any binding is built,
/// so no binding can silently leave it out. (rustc reports a missing field as "pattern requires
/// `..` due to inaccessible fields".)
macro_rules! check_models {
    ( $( $(#[doc = $doc:literal])* $kind:ident $name:ident ($core:ident) { $($field:ident),* $(,)? } )* ) => {
        $( const _: () = {
            #[allow(dead_code)]
            fn every_field_listed(value: &$core) {
                let $core { $( $field: _ ),* } = value;
            }
        }; )*
    };
}

crate::models!(check_models);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_fields_are_unique_and_documented() {
        for (i, a) in MODELS.iter().enumerate() {
            assert!(
                MODELS[i + 1..].iter().all(|b| b.name != a.name),
                "{} declared twice",
                a.name
            );
            assert!(!a.doc.is_empty(), "{} has no doc", a.name);
            for (j, field) in a.fields.iter().enumerate() {
                assert!(
                    !a.fields[j + 1..].contains(field),
                    "{}.{} listed twice",
                    a.name,
                    field
                );
            }
        }
    }

    #[test]
    fn every_model_an_operation_returns_is_in_the_table() {
        // The result types of the operation table, as written (`Vec<NodeSummary>`, ...): each
        // identifier that names a core model must be a table entry.
        let known: Vec<&str> = MODELS.iter().map(|m| m.core_type).collect();
        let not_models = [
            "Vec",
            "Option",
            "PerNode",
            "String",
            "u32",
            "JsonValue",
            "Task",
            "NodesApi",
            "NodeApi",
            "ClusterApi",
            "ContainersApi",
            "ContainerApi",
            "TemplatesApi",
            "UsersApi",
            "TasksApi",
            "FanOut",
            "ClusterResource",
            "TemplateCatalog",
            "CreatedContainer",
            "ProgressStream",
            "bool",
        ];
        let mut missing = Vec::new();
        for op in crate::OPERATIONS {
            for word in op
                .result
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .filter(|w| !w.is_empty())
            {
                if !known.contains(&word) && !not_models.contains(&word) && !missing.contains(&word)
                {
                    missing.push(word);
                }
            }
        }
        assert!(
            missing.is_empty(),
            "results not in the model table: {missing:?}"
        );
    }
}

//! The table as data ([`OPERATIONS`]), and a compile check of every operation body against the
//! core, both produced by expanding [`operations!`](crate::operations) with generators of this
//! crate (the same way the bindings do).

#[allow(unused_imports)] // the table's bodies name these
use crate::prelude::*;

/// Whether an operation talks to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// Talks to the server: blocking or awaitable in the bindings.
    Io,
    /// No I/O (handle accessors, URLs): a plain method everywhere.
    Local,
}

/// One argument of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argument {
    /// snake_case name.
    pub name: &'static str,
    /// The Rust type as written in the table.
    pub rust_type: &'static str,
    /// The default as written in the table (a Rust expression), if any.
    pub default: Option<&'static str>,
}

/// One operation of one handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The binding-side handle name (`Client`, `Node`, `Container`, ...).
    pub handle: &'static str,
    /// The core type the handle wraps (`NodeApi`, ...).
    pub core_type: &'static str,
    /// snake_case name (Python, Rust).
    pub name: &'static str,
    /// camelCase name (JavaScript).
    pub js_name: &'static str,
    /// I/O or local.
    pub kind: OpKind,
    /// Retry safety of the operation as a whole.
    pub retry: RetrySafety,
    /// The result's Rust type as written in the table.
    pub result: &'static str,
    /// The arguments, in order.
    pub arguments: &'static [Argument],
    /// The doc comment's lines.
    pub doc: &'static [&'static str],
}

impl Operation {
    /// The first doc line, trimmed.
    pub fn summary(&self) -> &'static str {
        self.doc.first().map(|l| l.trim()).unwrap_or("")
    }
}

#[doc(hidden)]
#[macro_export]
macro_rules! __op_kind {
    (io) => {
        $crate::OpKind::Io
    };
    (local) => {
        $crate::OpKind::Local
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __opt_str {
    () => {
        None
    };
    ($value:expr) => {
        Some(stringify!($value))
    };
}

macro_rules! describe_table {
    ( $( $(#[doc = $hdoc:literal])* handle $handle:ident ($core:ty) {
        $( $(#[doc = $doc:literal])*
           $kind:ident fn $name:ident ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* $(,)? )
           -> $ret:ty, retry $retry:ident, js $js:literal => |$h:ident| $body:expr ; )*
    } )* ) => {
        /// Every operation of the table, in table order.
        pub const OPERATIONS: &[Operation] = &[ $( $( Operation {
            handle: stringify!($handle),
            core_type: stringify!($core),
            name: stringify!($name),
            js_name: $js,
            kind: $crate::__op_kind!($kind),
            retry: RetrySafety::$retry,
            result: stringify!($ret),
            arguments: &[ $( Argument {
                name: stringify!($arg),
                rust_type: stringify!($aty),
                default: $crate::__opt_str!($($default)?),
            } ),* ],
            doc: &[ $($doc),* ],
        }, )* )* ];
    };
}

crate::operations!(describe_table);

macro_rules! check_body {
    (io, $core:ty, $ret:ty, $h:ident, ( $( $arg:ident : $aty:ty ),* ), $body:expr) => {
        #[allow(unused_variables, dead_code, clippy::too_many_arguments, clippy::redundant_closure_call)]
        fn _op($h: $core, $( $arg: $aty ),*) -> impl std::future::Future<Output = Result<$ret, Error>> + Send {
            async move { $body }
        }
    };
    (local, $core:ty, $ret:ty, $h:ident, ( $( $arg:ident : $aty:ty ),* ), $body:expr) => {
        #[allow(unused_variables, dead_code, clippy::too_many_arguments, clippy::redundant_closure_call)]
        fn _op($h: $core, $( $arg: $aty ),*) -> Result<$ret, Error> {
            (move || -> Result<$ret, Error> { $body })()
        }
    };
}

/// Compiles every body the way a binding would, so a table that does not fit the core fails
/// here, in one place, before any binding is built. Also checks every default has its type.
macro_rules! check_table {
    ( $( $(#[doc = $hdoc:literal])* handle $handle:ident ($core:ty) {
        $( $(#[doc = $doc:literal])*
           $kind:ident fn $name:ident ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* $(,)? )
           -> $ret:ty, retry $retry:ident, js $js:literal => |$h:ident| $body:expr ; )*
    } )* ) => {
        $( $( const _: () = {
            check_body!($kind, $core, $ret, $h, ( $( $arg : $aty ),* ), $body);
            #[allow(unused, clippy::let_unit_value)]
            fn _defaults() { $( $( let _: $aty = $default; )? )* }
        }; )* )*
    };
}

crate::operations!(check_table);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_handle_and_js_names_are_camel_case() {
        for (i, a) in OPERATIONS.iter().enumerate() {
            for b in &OPERATIONS[i + 1..] {
                assert!(
                    !(a.handle == b.handle && a.name == b.name),
                    "{}.{} declared twice",
                    a.handle,
                    a.name
                );
            }
            let camel: String = a
                .name
                .split('_')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part.to_owned()
                    } else {
                        let mut chars = part.chars();
                        chars
                            .next()
                            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                            .unwrap_or_default()
                    }
                })
                .collect();
            assert_eq!(a.js_name, camel, "{}.{}", a.handle, a.name);
            assert!(
                !a.summary().is_empty(),
                "{}.{} has no doc",
                a.handle,
                a.name
            );
        }
    }
}

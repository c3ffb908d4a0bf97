//! The Node face of the operation table: `proxmox_api_bindings::operations!(node_faces)` emits,
//! for every operation of every handle, one camelCase method on this package's class for the
//! handle (`Nodes` -> `NodesApi`, ...), taking the table's arguments positionally (a missing or
//! `null` optional one takes the table's default) plus an optional `AbortSignal` for `io`
//! operations, which return a Promise; `local` ones return at once (property-like accessors are
//! getters). Arguments convert through `FromJs` (`js_args`), results through `ToJs` (`results`).
//!
//! napi-rs writes TypeScript only from literals in its attributes, so the generated methods are
//! `skip_typescript` and their declarations (with TSDoc from the table's doc lines) come from
//! [`declarations`], which `scripts/build.mjs` inserts into the classes of `index.d.ts`.
//!
//! Two operations take an options object, as JavaScript users expect: `Containers.create(spec)`
//! (every argument a member of one object) and `Users.create(username, password, options)` (the
//! defaulted arguments gathered into a trailing object); their members convert like positional
//! arguments (`JsOptions`). Two keep a hand-written Node shape and are skipped here (each
//! declared in its class's file and checked by `test/parity.test.mjs` like every other):
//! `Client.request` (its extra per-call `options`) and `Task.wait` (options with `onProgress` and
//! `signal`).

use napi_derive::napi;
use proxmox_api_core::RetrySafety;

use napi::{Env, JsObject};

use crate::abort::{abortable, AbortSignal};
use crate::erased::{promise, Deferred};
use crate::js_args::JsArg;
use crate::outcome::Outcome;

/// One argument's Rust value: converted, or its default, or a missing-argument error.
macro_rules! arg_value {
    ($arg:ident, $aty:ty) => {
        match $arg.convert::<$aty>(&camel(stringify!($arg)))? {
            Some(value) => value,
            None => return Err(missing(&camel(stringify!($arg)))),
        }
    };
    ($arg:ident, $aty:ty, $default:expr) => {
        match $arg.convert::<$aty>(&camel(stringify!($arg)))? {
            Some(value) => value,
            None => $default,
        }
    };
}

/// The TypeScript parameter of one argument.
macro_rules! ts_param {
    ($arg:ident, $aty:ty) => {
        format!("{}: {}", camel(stringify!($arg)), <$aty as FromJs>::ts())
    };
    ($arg:ident, $aty:ty, $default:expr) => {
        format!(
            "{}?: {} | undefined | null",
            camel(stringify!($arg)),
            <$aty as FromJs>::ts()
        )
    };
}

/// Whether the Node face of an operation is generated: the hand-written shapes are skipped, the
/// others go to `$then!` with the shape (`getter`, `local`, `io`) as first token.
macro_rules! node_shape {
    ($then:ident, Client, $kind:ident, request, $($rest:tt)*) => {};
    // Options objects: every argument in one object, or the defaulted ones after the required.
    ($then:ident, Containers, io, create, $($rest:tt)*) => { $then!(io_spec, Containers, create, $($rest)*); };
    ($then:ident, Users, io, create, $($rest:tt)*) => { $then!(io_options, Users, create, $($rest)*); };
    ($then:ident, Task, $kind:ident, wait, $($rest:tt)*) => {};
    // Property-like accessors are getters, as JavaScript users expect (`node.name`).
    ($then:ident, Client, local, base_url, $($rest:tt)*) => { $then!(getter, Client, base_url, $($rest)*); };
    ($then:ident, Node, local, name, $($rest:tt)*) => { $then!(getter, Node, name, $($rest)*); };
    ($then:ident, Container, local, vmid, $($rest:tt)*) => { $then!(getter, Container, vmid, $($rest)*); };
    ($then:ident, Container, local, node, $($rest:tt)*) => { $then!(getter, Container, node, $($rest)*); };
    ($then:ident, Task, local, upid, $($rest:tt)*) => { $then!(getter, Task, upid, $($rest)*); };
    ($then:ident, Task, local, node, $($rest:tt)*) => { $then!(getter, Task, node, $($rest)*); };
    ($then:ident, $handle:ident, $kind:ident, $name:ident, $($rest:tt)*) => { $then!($kind, $handle, $name, $($rest)*); };
}

/// One operation's body, in `ops::<Handle>` where the table's (core) type names resolve: a
/// function from the core handle and the JavaScript arguments to the value napi converts, and a
/// type alias of that value's type under the same name.
macro_rules! op_fn {
    (io_spec, $($rest:tt)*) => { op_fn!(io, $($rest)*); };
    (io_options, $($rest:tt)*) => { op_fn!(io, $($rest)*); };
    (io, $handle:ident, $name:ident, $core:ty,
        ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* ), $ret:ty, $h:ident, $body:expr) => {
        #[allow(non_camel_case_types)]
        pub type $name = <$ret as ToJs>::Js;

        #[allow(clippy::too_many_arguments, unused_mut)]
        pub async fn $name($h: $core $(, $arg: JsArg)*) -> Result<$name, Error> {
            $( let $arg: $aty = arg_value!($arg, $aty $(, $default)?); )*
            let value: $ret = { $body }?;
            value.to_js()
        }
    };
    ($shape:ident, $handle:ident, $name:ident, $core:ty,
        ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* ), $ret:ty, $h:ident, $body:expr) => {
        #[allow(non_camel_case_types)]
        pub type $name = <$ret as ToJs>::Js;

        #[allow(clippy::too_many_arguments, clippy::redundant_closure_call, unused_mut)]
        pub fn $name($h: $core $(, $arg: JsArg)*) -> Result<$name, Error> {
            $( let $arg: $aty = arg_value!($arg, $aty $(, $default)?); )*
            let value: $ret = (move || -> Result<$ret, Error> { $body })()?;
            value.to_js()
        }
    };
}

/// One operation's napi method on its class, in an `impl` block of its own (napi-rs merges the
/// blocks of a class), where the class names resolve to this package's classes.
macro_rules! node_method {
    (@class Client, $($rest:tt)*) => { node_method!(@in Client, Client, $($rest)*); };
    (@class Nodes, $($rest:tt)*) => { node_method!(@in NodesApi, Nodes, $($rest)*); };
    (@class Node, $($rest:tt)*) => { node_method!(@in NodeApi, Node, $($rest)*); };
    (@class Container, $($rest:tt)*) => { node_method!(@in ContainerApi, Container, $($rest)*); };
    (@class Cluster, $($rest:tt)*) => { node_method!(@in ClusterApi, Cluster, $($rest)*); };
    (@class Containers, $($rest:tt)*) => { node_method!(@in ContainersApi, Containers, $($rest)*); };
    (@class Templates, $($rest:tt)*) => { node_method!(@in TemplatesApi, Templates, $($rest)*); };
    (@class Users, $($rest:tt)*) => { node_method!(@in UsersApi, Users, $($rest)*); };
    (@class Tasks, $($rest:tt)*) => { node_method!(@in TasksApi, Tasks, $($rest)*); };
    (@class Task, $($rest:tt)*) => { node_method!(@in Task, Task, $($rest)*); };
    (@class FanOut, $($rest:tt)*) => { node_method!(@in FanOut, FanOut, $($rest)*); };

    (@in $class:ident, $handle:ident, getter, $name:ident, [$($doc:tt)*], ()) => {
        #[napi]
        impl $class {
            $(#[doc = $doc])*
            #[napi(getter, skip_typescript)]
            pub fn $name(&self) -> Outcome<ops::$handle::$name> {
                ops::$handle::$name(self.inner.clone()).into()
            }
        }
    };
    (@in $class:ident, $handle:ident, local, $name:ident, [$($doc:tt)*], ($($arg:ident),*)) => {
        #[napi]
        impl $class {
            $(#[doc = $doc])*
            #[napi(skip_typescript)]
            pub fn $name(&self $(, $arg: JsArg)*) -> Outcome<ops::$handle::$name> {
                ops::$handle::$name(self.inner.clone() $(, $arg)*).into()
            }
        }
    };
    (@in $class:ident, $handle:ident, io_object, $name:ident, [$($doc:tt)*], $object:literal, [$($req:ident),*], [$($opt:ident),*]) => {
        #[napi]
        impl $class {
            $(#[doc = $doc])*
            #[napi(skip_typescript)]
            pub fn $name(&self, env: Env $(, $req: JsArg)*, options: JsArg, signal: Option<AbortSignal>) -> napi::Result<JsObject> {
                let inner = self.inner.clone();
                promise(&env, Box::pin(async move {
                    let outcome: Outcome<ops::$handle::$name> = abortable(signal, async move {
                        let mut options = options.into_options($object)?;
                        ops::$handle::$name(inner $(, $req)* $(, options.take(stringify!($opt)))*).await
                    })
                    .await
                    .into();
                    Deferred::new(outcome)
                }))
            }
        }
    };
    (@in $class:ident, $handle:ident, io, $name:ident, [$($doc:tt)*], ($($arg:ident),*)) => {
        #[napi]
        impl $class {
            $(#[doc = $doc])*
            #[napi(skip_typescript)]
            #[allow(clippy::too_many_arguments)]
            pub fn $name(&self, env: Env $(, $arg: JsArg)*, signal: Option<AbortSignal>) -> napi::Result<JsObject> {
                let work = ops::$handle::$name(self.inner.clone() $(, $arg)*);
                promise(&env, Box::pin(async move {
                    let outcome: Outcome<ops::$handle::$name> = abortable(signal, work).await.into();
                    Deferred::new(outcome)
                }))
            }
        }
    };
}

/// The method of an `io_options` operation: the required arguments (the table's first ones)
/// positional, the defaulted ones gathered into the options object.
macro_rules! split_options {
    (@done $handle:ident, $name:ident, [$($doc:tt)*], [$($req:ident),*], [$($opt:ident $(= $d:expr)?),*]) => {
        node_method!(@class $handle, io_object, $name, [$($doc)*], "options", [$($req),*], [$($opt),*]);
    };
    ($handle:ident, $name:ident, $doc:tt, [$($req:ident),*], $arg:ident = $d:expr $(, $($rest:tt)*)?) => {
        split_options!(@done $handle, $name, $doc, [$($req),*], [$arg = $d $(, $($rest)*)?]);
    };
    ($handle:ident, $name:ident, $doc:tt, [$($req:ident),*], $arg:ident $(, $($rest:tt)*)?) => {
        split_options!($handle, $name, $doc, [$($req ,)* $arg], $($($rest)*)?);
    };
}

/// `node_shape!` continuations: the op function, the method, the declaration.
macro_rules! emit_op_fn {
    ($shape:ident, $handle:ident, $name:ident, $core:ty, [$($doc:tt)*], $args:tt, $ret:ty, $retry:ident, $js:tt, $h:ident, $body:expr) => {
        op_fn!($shape, $handle, $name, $core, $args, $ret, $h, $body);
    };
}

macro_rules! emit_method {
    (io_spec, $handle:ident, $name:ident, [$($doc:tt)*], ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* )) => {
        node_method!(@class $handle, io_object, $name, [$($doc)*], "spec", [], [$($arg),*]);
    };
    (io_options, $handle:ident, $name:ident, [$($doc:tt)*], ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* )) => {
        split_options!($handle, $name, [$($doc)*], [], $($arg $(= $default)?),*);
    };
    ($shape:ident, $handle:ident, $name:ident, [$($doc:tt)*], ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* )) => {
        node_method!(@class $handle, $shape, $name, [$($doc)*], ($($arg),*));
    };
}

macro_rules! emit_declaration {
    ($shape:ident, $handle:ident, $name:ident, $out:ident, [$($doc:tt)*], $args:tt, $ret:ty, $retry:ident, $js:tt) => {
        $out.push((stringify!($handle), stringify!($name), node_declaration!(@$shape [$($doc)*], $args, $ret, $retry, $js)));
    };
}

/// The TypeScript member of one operation, or `None` for the hand-written shapes.
macro_rules! node_declaration {
    (@getter [$($doc:tt)*], (), $ret:ty, $retry:ident, $js:tt) => {
        format!("{}  get {}(): {}\n", tsdoc(&[$($doc),*], &[], None), $js, <$ret as ToJs>::ts())
    };
    (@local [$($doc:tt)*], ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* ), $ret:ty, $retry:ident, $js:tt) => {{
        let params: Vec<String> = vec![$( ts_param!($arg, $aty $(, $default)?) ),*];
        let args: Vec<(&str, Option<&str>)> = vec![$( (stringify!($arg), <$aty as FromJs>::note()) ),*];
        format!("{}  {}({}): {}\n", tsdoc(&[$($doc),*], &args, None), $js, params.join(", "), <$ret as ToJs>::ts())
    }};
    (@io_spec [$($doc:tt)*], ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* ), $ret:ty, $retry:ident, $js:tt) => {{
        let members: Vec<(String, bool)> = vec![$( (ts_param!($arg, $aty $(, $default)?), defaulted!($($default)?)) ),*];
        let args: Vec<(&str, Option<&str>)> = vec![$( (stringify!($arg), <$aty as FromJs>::note()) ),*];
        object_declaration(tsdoc(&[$($doc),*], &args, Some(RetrySafety::$retry)), $js, "spec", members, &<$ret as ToJs>::ts())
    }};
    (@io_options [$($doc:tt)*], ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* ), $ret:ty, $retry:ident, $js:tt) => {{
        let members: Vec<(String, bool)> = vec![$( (ts_param!($arg, $aty $(, $default)?), defaulted!($($default)?)) ),*];
        let args: Vec<(&str, Option<&str>)> = vec![$( (stringify!($arg), <$aty as FromJs>::note()) ),*];
        object_declaration(tsdoc(&[$($doc),*], &args, Some(RetrySafety::$retry)), $js, "options", members, &<$ret as ToJs>::ts())
    }};
    (@io [$($doc:tt)*], ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* ), $ret:ty, $retry:ident, $js:tt) => {{
        let params: Vec<String> = vec![
            $( ts_param!($arg, $aty $(, $default)?), )*
            "signal?: AbortSignal | undefined | null".to_owned(),
        ];
        let args: Vec<(&str, Option<&str>)> = vec![$( (stringify!($arg), <$aty as FromJs>::note()) ),*];
        format!(
            "{}  {}({}): Promise<{}>\n",
            tsdoc(&[$($doc),*], &args, Some(RetrySafety::$retry)),
            $js,
            params.join(", "),
            <$ret as ToJs>::ts()
        )
    }};
}

/// Whether a table argument has a default.
macro_rules! defaulted {
    () => {
        false
    };
    ($default:expr) => {
        true
    };
}

macro_rules! node_faces {
    ( $( $(#[doc = $hdoc:tt])* handle $handle:ident ($core:ty) {
        $( $(#[doc = $doc:tt])*
           $kind:ident fn $name:ident ( $( $arg:ident : $aty:ty $(= $default:expr)? ),* $(,)? )
           -> $ret:ty, retry $retry:ident, js $js:tt => |$h:ident| $body:expr ; )*
    } )* ) => {
        /// The operations' bodies, one module per handle, where the table's names are the core's.
        pub mod ops {
            $(
                #[allow(non_snake_case)]
                pub mod $handle {
                    #[allow(unused_imports)] // the table's bodies name these
                    use proxmox_api_bindings::prelude::*;

                    #[allow(unused_imports)]
                    use crate::faces::camel;
                    #[allow(unused_imports)]
                    use crate::js_args::{missing, JsArg};
                    #[allow(unused_imports)]
                    use crate::results::ToJs;

                    $(
                        node_shape!(emit_op_fn, $handle, $kind, $name, $core, [$($doc)*],
                            ( $( $arg : $aty $(= $default)? ),* ), $ret, $retry, $js, $h, $body);
                    )*
                }
            )*

            /// `(handle, operation, TypeScript member)` of every generated method, in table order.
            pub fn declarations() -> Vec<(&'static str, &'static str, String)> {
                #[allow(unused_imports)]
                use proxmox_api_bindings::prelude::*;
                #[allow(unused_imports)]
                use crate::js_args::FromJs;
                use crate::results::ToJs;
                use crate::faces::{camel, object_declaration, tsdoc};

                let mut out = Vec::new();
                $( $(
                    node_shape!(emit_declaration, $handle, $kind, $name, out, [$($doc)*],
                        ( $( $arg : $aty $(= $default)? ),* ), $ret, $retry, $js);
                )* )*
                out
            }
        }

        $( $(
            node_shape!(emit_method, $handle, $kind, $name, [$($doc)*], ( $( $arg : $aty $(= $default)? ),* ));
        )* )*
    };
}

pub use ops::declarations;

/// `snake_case` -> `camelCase` (the table's argument names in JavaScript).
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The TypeScript member of an operation taking an options object: for `"spec"` every argument
/// is a member of one required object; for `"options"` the required arguments stay positional
/// and the defaulted ones are the members of an optional trailing object.
pub(crate) fn object_declaration(
    doc: String,
    js: &str,
    object: &str,
    params: Vec<(String, bool)>,
    ret: &str,
) -> String {
    let (positional, members): (Vec<_>, Vec<_>) = params
        .into_iter()
        .partition(|(_, defaulted)| object == "options" && !defaulted);
    let members: Vec<String> = members.into_iter().map(|(member, _)| member).collect();
    let mut params: Vec<String> = positional.into_iter().map(|(param, _)| param).collect();
    params.push(match object {
        "spec" => format!("spec: {{ {} }}", members.join(", ")),
        _ => format!("options?: {{ {} }} | undefined | null", members.join(", ")),
    });
    params.push("signal?: AbortSignal | undefined | null".to_owned());
    format!("{doc}  {js}({}): Promise<{ret}>\n", params.join(", "))
}

/// A TSDoc block from the table's doc lines (argument names in backquotes camelCased), a
/// `@param` line per argument with a unit, and the retry safety of `io` operations.
pub(crate) fn tsdoc(
    lines: &[&str],
    args: &[(&str, Option<&str>)],
    retry: Option<RetrySafety>,
) -> String {
    let mut body: Vec<String> = lines
        .iter()
        .map(|line| {
            let mut line = line.trim().to_owned();
            for (arg, _) in args.iter().filter(|(arg, _)| arg.contains('_')) {
                line = line.replace(&format!("`{arg}`"), &format!("`{}`", camel(arg)));
            }
            line
        })
        .collect();
    for (arg, note) in args {
        if let Some(note) = note {
            body.push(format!("@param {} {note}", camel(arg)));
        }
    }
    if let Some(retry) = retry {
        body.push(String::new());
        body.push(format!(
            "Retry safety once sent: `{}`.",
            match retry {
                RetrySafety::Safe => "safe",
                RetrySafety::AfterCheck => "after_check",
                _ => "never",
            }
        ));
    }
    let mut out = String::from("  /**\n");
    for line in body {
        if line.is_empty() {
            out.push_str("   *\n");
        } else {
            out.push_str(&format!("   * {}\n", line.replace("*/", "*\\/")));
        }
    }
    out.push_str("   */\n");
    out
}

use crate::client::Client;
use crate::cluster::ClusterApi;
use crate::containers::{ContainerApi, ContainersApi};
use crate::fan_out::FanOut;
use crate::nodes::{NodeApi, NodesApi};
use crate::tasks::{Task, TasksApi};
use crate::templates::TemplatesApi;
use crate::users::UsersApi;

proxmox_api_bindings::operations!(node_faces);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_operation_has_a_declaration_or_a_hand_written_shape() {
        let declared = declarations();
        let hand_written = [("Client", "request"), ("Task", "wait")];
        for op in proxmox_api_bindings::OPERATIONS {
            let generated = declared
                .iter()
                .any(|(handle, name, _)| *handle == op.handle && *name == op.name);
            assert!(
                generated ^ hand_written.contains(&(op.handle, op.name)),
                "{}.{}",
                op.handle,
                op.name
            );
        }
        let status = declared
            .iter()
            .find(|(h, n, _)| *h == "Node" && *n == "rrddata")
            .unwrap();
        assert!(status.2.contains("rrddata(timeframe: 'hour' | 'day' | 'week' | 'month' | 'year', consolidation?: 'AVERAGE' | 'MAX' | undefined | null, signal?: AbortSignal | undefined | null): Promise<Array<NodeRrdPoint>>"), "{}", status.2);
    }

    #[test]
    fn names_are_camel_cased() {
        assert_eq!(camel("per_node_timeout"), "perNodeTimeout");
        assert_eq!(camel("vmid"), "vmid");
    }
}

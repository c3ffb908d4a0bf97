//! Domain handles, octocrab style: `client.nodes()`, `client.node("pve1").container(100)`,
//! `client.cluster()`, `client.containers()`, `client.templates()`, `client.users()`,
//! `client.fan_out()`. Every handle is a cheap clone of the client and only ever calls
//! [`Client::send`](crate::Client::send).

pub mod aggregate;
pub mod cluster;
pub mod containers;
pub mod nodes;
pub mod placement;
mod reconcile;
mod rrd;
pub mod spec;
pub mod templates;
pub mod users;
pub mod vnc;

pub use aggregate::{
    cluster_nodes, FanOut, NodeReachability, PerNode, DEFAULT_CONCURRENCY, DEFAULT_PER_NODE_TIMEOUT,
};
pub use cluster::{ClusterApi, DestroyRecord, ResourceKind, TaskFilter, TaskResult};
pub use containers::{Container, ContainerApi, ContainersApi, CreateContainer, CreatedContainer};
pub use nodes::{NodeApi, NodesApi};
pub use placement::{NodeCandidate, Placement};
pub use spec::{ContainerSpec, ContainerSpecBuilder, OsType, DEFAULT_NET0, DEFAULT_OWNER_ROLE};
pub use templates::{TemplateAvailability, TemplateCatalog, TemplateLocation, TemplatesApi};
pub use users::{CreateUser, User, UsersApi};
pub use vnc::{BrowserCookie, ConsoleSession, SameSite};

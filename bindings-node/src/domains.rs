//! The core's domain handles (`client.nodes()`, `client.containers()`, `client.users()`, tasks),
//! as more methods of the JavaScript `Client`. Conversion only: placement, vmid allocation,
//! stopping before delete and task polling are the core's.

use std::time::Duration;

use napi_derive::napi;
use proxmox_api_core::api::{Container, ContainerSpec as CoreSpec};
use proxmox_api_core::tasks::Task;
use proxmox_api_core::{Error as CoreError, Upid};
use serde::Serialize;
use serde_json::Value;

use crate::client::Client;
use crate::outcome::Outcome;

/// What to create (`createContainer`). Only `hostname` and `template` are required; the core
/// validates everything before sending.
#[napi(object)]
pub struct ContainerSpec {
    /// Hostname (RFC 1123).
    pub hostname: String,
    /// Template volume id, e.g. `local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`.
    pub template: String,
    /// Storage for the root disk (default `local-lvm`).
    pub storage: Option<String>,
    /// Root disk size in GiB (default 8).
    pub disk_gib: Option<u32>,
    /// CPU cores (default 1).
    pub cores: Option<u32>,
    /// Memory in MiB (default 512).
    pub memory_mib: Option<u32>,
    /// Swap in MiB (default 512).
    pub swap_mib: Option<u32>,
    /// PVE's OS type name; guessed from the template when unset.
    pub ostype: Option<String>,
    /// First network interface as a PVE property string (default DHCP on `vmbr0`).
    pub net0: Option<String>,
    /// Root password.
    pub password: Option<String>,
    /// SSH public keys for root.
    pub ssh_public_keys: Option<Vec<String>>,
    /// Unprivileged (default `true`).
    pub unprivileged: Option<bool>,
    /// A user (`name@realm`) to grant access to the new container.
    pub owner: Option<String>,
    /// The node; chosen by the core's placement policy (most free memory) when unset.
    pub node: Option<String>,
    /// The vmid; the next free one when unset.
    pub vmid: Option<u32>,
}

impl ContainerSpec {
    fn into_core(self) -> Result<CoreSpec, CoreError> {
        let mut builder = CoreSpec::builder()
            .hostname(self.hostname)
            .template(self.template);
        if let Some(v) = self.storage {
            builder = builder.storage(v);
        }
        if let Some(v) = self.disk_gib {
            builder = builder.disk_gib(v);
        }
        if let Some(v) = self.cores {
            builder = builder.cores(v);
        }
        if let Some(v) = self.memory_mib {
            builder = builder.memory_mib(v);
        }
        if let Some(v) = self.swap_mib {
            builder = builder.swap_mib(v);
        }
        if let Some(v) = self.ostype {
            builder = builder.ostype(v);
        }
        if let Some(v) = self.net0 {
            builder = builder.net0(v);
        }
        if let Some(v) = self.password {
            builder = builder.password(v);
        }
        for key in self.ssh_public_keys.into_iter().flatten() {
            builder = builder.ssh_public_key(key);
        }
        if let Some(v) = self.unprivileged {
            builder = builder.unprivileged(v);
        }
        if let Some(v) = self.owner {
            builder = builder.owner(v);
        }
        if let Some(v) = self.node {
            builder = builder.node(v);
        }
        if let Some(v) = self.vmid {
            builder = builder.vmid(v);
        }
        builder.build()
    }
}

/// A container that was just created; its `vzcreate` task may still be running.
#[napi(object)]
pub struct CreatedContainer {
    /// The vmid it got.
    pub vmid: u32,
    /// The node it was placed on.
    pub node: String,
    /// The creation task (wait for it with `waitTask`).
    pub upid: String,
}

/// How a task that succeeded ended.
#[napi(object)]
pub struct TaskOutcome {
    /// The task.
    pub upid: String,
    /// Number of warnings (`WARNINGS: n`); 0 for `OK`.
    pub warnings: u32,
    /// The exit status as PVE reported it.
    pub exit_status: String,
}

/// A core model as a plain JavaScript value (its wire field names).
fn json<T: Serialize>(value: T) -> Result<Value, CoreError> {
    serde_json::to_value(value).map_err(|e| CoreError::Decode {
        path: String::new(),
        message: e.to_string(),
    })
}

fn to_json<T: Serialize>(result: Result<T, CoreError>) -> Outcome<Value> {
    result.and_then(json).into()
}

fn container_json(container: Container) -> Result<Value, CoreError> {
    Ok(serde_json::json!({
        "vmid": container.vmid,
        "node": container.node,
        "status": json(container.status)?,
        "config": json(container.config)?,
    }))
}

#[napi]
impl Client {
    /// One node's full status (`GET /nodes/{node}/status`): cpu, memory, swap, rootfs, loadavg, ...
    #[napi(ts_return_type = "Promise<Record<string, unknown>>")]
    pub async fn node_status(&self, node: String) -> Outcome<Value> {
        to_json(self.core.node(node).status().await)
    }

    /// Every container in the cluster, in one request (`/cluster/resources`).
    #[napi(ts_return_type = "Promise<Array<Record<string, unknown>>>")]
    pub async fn containers(&self) -> Outcome<Value> {
        to_json(self.core.containers().list().await)
    }

    /// One container by vmid, asking only the node that hosts it: `{ vmid, node, status, config }`.
    #[napi(
        ts_return_type = "Promise<{ vmid: number, node: string, status: Record<string, unknown>, config: Record<string, unknown> }>"
    )]
    pub async fn container(&self, vmid: u32) -> Outcome<Value> {
        self.core
            .containers()
            .get(vmid)
            .await
            .and_then(container_json)
            .into()
    }

    /// Creates a container (placed and numbered by the core when `node`/`vmid` are unset).
    #[napi(ts_return_type = "Promise<CreatedContainer>")]
    pub async fn create_container(&self, spec: ContainerSpec) -> Outcome<CreatedContainer> {
        let created = match spec.into_core() {
            Ok(spec) => self.core.containers().create(spec).send().await,
            Err(error) => Err(error),
        };
        created
            .map(|c| CreatedContainer {
                vmid: c.vmid,
                node: c.node,
                upid: c.task.upid().to_string(),
            })
            .into()
    }

    /// Starts container `vmid`; resolves to the task's UPID.
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn start_container(&self, vmid: u32) -> Outcome<String> {
        let task = async { self.core.containers().handle(vmid).await?.start().await };
        task.await.map(|t| t.upid().to_string()).into()
    }

    /// Stops container `vmid` at once; resolves to the task's UPID.
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn stop_container(&self, vmid: u32) -> Outcome<String> {
        let task = async { self.core.containers().handle(vmid).await?.stop().await };
        task.await.map(|t| t.upid().to_string()).into()
    }

    /// Shuts container `vmid` down cleanly; resolves to the task's UPID.
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn shutdown_container(&self, vmid: u32) -> Outcome<String> {
        let task = async { self.core.containers().handle(vmid).await?.shutdown().await };
        task.await.map(|t| t.upid().to_string()).into()
    }

    /// Reboots container `vmid`; resolves to the task's UPID.
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn reboot_container(&self, vmid: u32) -> Outcome<String> {
        let task = async { self.core.containers().handle(vmid).await?.reboot().await };
        task.await.map(|t| t.upid().to_string()).into()
    }

    /// Deletes container `vmid` with its disks (stopping it first when running); resolves to
    /// the `vzdestroy` task's UPID.
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn delete_container(&self, vmid: u32) -> Outcome<String> {
        let task = async { self.core.containers().handle(vmid).await?.delete().await };
        task.await.map(|t| t.upid().to_string()).into()
    }

    /// Waits for a task to stop (at most `maxWaitMs`, default 10 minutes). Resolves when it
    /// succeeded; rejects with `PROXMOX_TASK_FAILED` (exit status and log tail) or
    /// `PROXMOX_TASK_TIMEOUT`.
    #[napi(ts_return_type = "Promise<TaskOutcome>")]
    pub async fn wait_task(&self, upid: String, max_wait_ms: Option<u32>) -> Outcome<TaskOutcome> {
        let outcome = async {
            let upid: Upid = upid
                .parse()
                .map_err(|e: proxmox_api_core::UpidParseError| {
                    CoreError::invalid_input("upid", e.to_string())
                })?;
            let mut waiter = Task::new(self.core.clone(), upid).wait();
            if let Some(ms) = max_wait_ms {
                waiter = waiter.max_wait(Duration::from_millis(u64::from(ms)));
            }
            waiter.run().await
        };
        outcome
            .await
            .map(|o| TaskOutcome {
                upid: o.upid.to_string(),
                warnings: o.warnings,
                exit_status: o.exit_status,
            })
            .into()
    }

    /// The users (`GET /access/users`).
    #[napi(ts_return_type = "Promise<Array<Record<string, unknown>>>")]
    pub async fn users(&self) -> Outcome<Value> {
        to_json(self.core.users().list().await)
    }
}

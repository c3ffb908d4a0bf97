//! LXC containers: one container's lifecycle, the cluster-wide list, lookup by vmid, and
//! creation from a validated spec with placement and vmid allocation.

use std::time::Duration;

use secrecy::SecretString;

use crate::api::aggregate::NodeReachability;
use crate::api::nodes::storage_usable;
use crate::api::placement::NodeCandidate;
use crate::api::reconcile::{creation_marker, find_marked, outcome_unknown, vmid_exists};
use crate::api::rrd::cf_param;
use crate::api::spec::ContainerSpec;
use crate::client::Client;
use crate::error::Error;
use crate::models::{
    resource_listing, ClusterResource, GuestResource, GuestRrdPoint, GuestStatus, LxcConfig,
    LxcStatus, NextId, NodeOnlineStatus, RrdConsolidation, RrdTimeframe,
};
use crate::request::ApiRequest;
use crate::tasks::Task;
use crate::upid::Upid;

/// How often creation picks a new vmid after losing a race for one.
const MAX_VMID_ATTEMPTS: u32 = 20;

/// One container on one node. Created by [`crate::api::NodeApi::container`].
#[derive(Debug, Clone)]
pub struct ContainerApi {
    client: Client,
    node: String,
    vmid: u32,
}

impl ContainerApi {
    pub(crate) fn new(client: Client, node: String, vmid: u32) -> Self {
        Self { client, node, vmid }
    }

    /// The container's id.
    pub fn vmid(&self) -> u32 {
        self.vmid
    }

    /// The node it lives on.
    pub fn node(&self) -> &str {
        &self.node
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    pub(crate) fn path(&self, rest: &[&str]) -> Vec<String> {
        let mut segments = vec![
            "nodes".to_owned(),
            self.node.clone(),
            "lxc".to_owned(),
            self.vmid.to_string(),
        ];
        segments.extend(rest.iter().map(|s| (*s).to_owned()));
        segments
    }

    /// Current state: running or stopped, usage, uptime, lock (`GET .../status/current`).
    pub async fn status(&self) -> Result<LxcStatus, Error> {
        self.client
            .send(ApiRequest::get(self.path(&["status", "current"])))
            .await
    }

    /// The configuration (`GET .../config`).
    pub async fn config(&self) -> Result<LxcConfig, Error> {
        self.client
            .send(ApiRequest::get(self.path(&["config"])))
            .await
    }

    async fn status_action(&self, action: &str) -> Result<Task, Error> {
        let upid: Upid = self
            .client
            .send(ApiRequest::post(self.path(&["status", action])))
            .await?;
        Ok(Task::new(self.client.clone(), upid))
    }

    /// Starts the container (a `vzstart` task).
    pub async fn start(&self) -> Result<Task, Error> {
        self.status_action("start").await
    }

    /// Stops it at once, like pulling the plug (a `vzstop` task).
    pub async fn stop(&self) -> Result<Task, Error> {
        self.status_action("stop").await
    }

    /// Asks it to shut down cleanly (a `vzshutdown` task).
    pub async fn shutdown(&self) -> Result<Task, Error> {
        self.status_action("shutdown").await
    }

    /// Reboots it (a `vzreboot` task).
    pub async fn reboot(&self) -> Result<Task, Error> {
        self.status_action("reboot").await
    }

    /// Destroys the container with its disks and its ACL and job entries (`purge`). A running
    /// container is stopped first (waiting for the stop task, at most 5 minutes); the returned
    /// task is the `vzdestroy`.
    pub async fn delete(&self) -> Result<Task, Error> {
        let status = self.status().await?;
        if status.status == GuestStatus::Running {
            self.stop()
                .await?
                .wait()
                .max_wait(Duration::from_secs(300))
                .await?;
        }
        let upid: Upid = self
            .client
            .send(
                ApiRequest::delete(self.path(&[]))
                    .param("purge", true)
                    .param("destroy-unreferenced-disks", true),
            )
            .await?;
        Ok(Task::new(self.client.clone(), upid))
    }

    /// The container's graph data; missing samples are `None`.
    pub async fn rrddata(
        &self,
        timeframe: RrdTimeframe,
        consolidation: RrdConsolidation,
    ) -> Result<Vec<GuestRrdPoint>, Error> {
        self.client
            .send(
                ApiRequest::get(self.path(&["rrddata"]))
                    .param("timeframe", timeframe.as_str())
                    .param("cf", cf_param(consolidation)),
            )
            .await
    }
}

/// Containers across the cluster. Created by [`Client::containers`].
#[derive(Debug, Clone)]
pub struct ContainersApi {
    client: Client,
}

/// A container found by vmid: where it lives, its status and its configuration.
#[derive(Debug, Clone)]
pub struct Container {
    /// Its id.
    pub vmid: u32,
    /// The node it lives on.
    pub node: String,
    /// Its current status.
    pub status: LxcStatus,
    /// Its configuration.
    pub config: LxcConfig,
}

/// A container that was just created: its task may still be running.
#[derive(Debug, Clone)]
pub struct CreatedContainer {
    /// The id it got.
    pub vmid: u32,
    /// The node it was placed on.
    pub node: String,
    /// The `vzcreate` task.
    pub task: Task,
}

impl Client {
    /// Containers across the cluster.
    pub fn containers(&self) -> ContainersApi {
        ContainersApi {
            client: self.clone(),
        }
    }
}

impl ContainersApi {
    /// Every container the caller may see, in one request (`GET /cluster/resources?type=vm`).
    pub async fn list(&self) -> Result<Vec<GuestResource>, Error> {
        let resources = self
            .client
            .send_decoding(
                ApiRequest::get(["cluster", "resources"]).param("type", "vm"),
                resource_listing::decode_body,
            )
            .await?;
        Ok(resources
            .into_iter()
            .filter_map(|r| match r {
                ClusterResource::Lxc(guest) => Some(guest),
                _ => None,
            })
            .collect())
    }

    /// The node hosting container `vmid`, from the cluster's resource list.
    pub async fn locate(&self, vmid: u32) -> Result<String, Error> {
        self.list()
            .await?
            .into_iter()
            .find(|g| g.vmid == vmid)
            .map(|g| g.node)
            .ok_or_else(|| Error::NotFound {
                status: 404,
                message: format!("container {vmid} does not exist"),
            })
    }

    /// A handle for container `vmid`, wherever it lives.
    pub async fn handle(&self, vmid: u32) -> Result<ContainerApi, Error> {
        let node = self.locate(vmid).await?;
        Ok(ContainerApi::new(self.client.clone(), node, vmid))
    }

    /// One container with status and configuration, asking only the node that hosts it.
    pub async fn get(&self, vmid: u32) -> Result<Container, Error> {
        let handle = self.handle(vmid).await?;
        let (status, config) = futures_util::future::join(handle.status(), handle.config()).await;
        Ok(Container {
            vmid,
            node: handle.node,
            status: status?,
            config: config?,
        })
    }

    /// Prepares the creation of a container from a validated spec; `.send()` does it.
    pub fn create(&self, spec: ContainerSpec) -> CreateContainer {
        CreateContainer {
            client: self.client.clone(),
            spec,
            idempotency_key: None,
        }
    }
}

/// A container creation, ready to send. Created by [`ContainersApi::create`].
#[derive(Debug)]
pub struct CreateContainer {
    client: Client,
    spec: ContainerSpec,
    idempotency_key: Option<String>,
}

impl CreateContainer {
    /// Makes the creation idempotent: a later call with the same key returns the container the
    /// first one created (found by a marker tag derived from the key) instead of creating a
    /// second. Use one key per intended container, e.g. a request id.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Creates the container: places it when no node was given, takes a free vmid when none was
    /// given (retrying with a new one, at most 20 times, when another creation took it first),
    /// posts the creation, then grants the owner access if one was named.
    ///
    /// Exactly once: the container carries a marker tag (`pxa-...`) unique to this call or to its
    /// idempotency key. When the creation's answer is lost, the container is looked up by that
    /// marker before anything is reported: found, it is returned as if the answer had arrived;
    /// not found, the error is [`Error::CreateUnconfirmed`] with the vmid and node. Nothing is
    /// ever posted twice.
    pub async fn send(self) -> Result<CreatedContainer, Error> {
        let spec = self.spec;
        if let Some(key) = &self.idempotency_key {
            if key.is_empty() {
                return Err(Error::invalid_input("idempotency_key", "must not be empty"));
            }
        }
        let marker = creation_marker(self.idempotency_key.as_deref());
        if self.idempotency_key.is_some() {
            if let Some((node, vmid, Some(upid))) = find_marked(&self.client, &marker).await? {
                return Ok(CreatedContainer {
                    vmid,
                    node,
                    task: Task::new(self.client.clone(), upid),
                });
            }
        }
        let node = match &spec.node {
            Some(node) => node.clone(),
            None => place(&self.client, &spec).await?,
        };
        let mut attempt = 0;
        let (node, vmid, upid) = loop {
            attempt += 1;
            let vmid = match spec.vmid {
                Some(vmid) => vmid,
                None => next_id(&self.client).await?,
            };
            let request = spec
                .create_request(&node, vmid)
                .param("tags", marker.as_str());
            match self.client.send::<Upid>(request).await {
                Ok(upid) => break (node, vmid, upid),
                Err(e)
                    if spec.vmid.is_none()
                        && is_already_exists(&e)
                        && attempt < MAX_VMID_ATTEMPTS =>
                {
                    // Lost a race for this id to a concurrent creation; spread the retries
                    // so the racers do not collide again on the next id.
                    let jitter = fastrand::u64(0..=u64::from(attempt) * 20);
                    self.client
                        .clock()
                        .sleep(Duration::from_millis(jitter))
                        .await;
                }
                Err(e) if outcome_unknown(&e) => {
                    tracing::debug!(vmid, node = %node, error = %e, "creation answer lost; reconciling");
                    match find_marked(&self.client, &marker).await {
                        Ok(Some((found_node, found_vmid, Some(upid)))) => {
                            break (found_node, found_vmid, upid)
                        }
                        Ok(_) => {
                            let exists = vmid_exists(&self.client, vmid).await.ok();
                            return Err(unconfirmed(vmid, node, exists, e));
                        }
                        Err(_) => return Err(unconfirmed(vmid, node, None, e)),
                    }
                }
                Err(e) => return Err(e),
            }
        };
        if let Some(owner) = &spec.owner {
            self.client
                .users()
                .assign_role(owner, vmid, &spec.owner_role)
                .await?;
        }
        Ok(CreatedContainer {
            vmid,
            node,
            task: Task::new(self.client.clone(), upid),
        })
    }
}

fn unconfirmed(vmid: u32, node: String, exists: Option<bool>, cause: Error) -> Error {
    Error::CreateUnconfirmed {
        vmid,
        node,
        exists,
        cause: Box::new(cause),
    }
}

fn is_already_exists(error: &Error) -> bool {
    matches!(error, Error::Conflict { .. } | Error::Api { .. })
        && error.to_string().contains("already exists")
}

async fn next_id(client: &Client) -> Result<u32, Error> {
    let NextId(id) = client.send(ApiRequest::get(["cluster", "nextid"])).await?;
    Ok(id)
}

/// Picks a node for `spec` by its placement policy among the online nodes that hold the
/// template and the target storage.
async fn place(client: &Client, spec: &ContainerSpec) -> Result<String, Error> {
    let nodes = client.nodes().list().await?;
    let online: Vec<_> = nodes
        .into_iter()
        .filter(|n| n.status == NodeOnlineStatus::Online)
        .collect();
    let reachability = online
        .iter()
        .map(|n| NodeReachability {
            node: n.node.clone(),
            online: true,
        })
        .collect();
    let template_storage = spec.template_storage().to_owned();
    let target_storage = spec.storage.clone();
    let template = spec.template.clone();
    let free_disk = client
        .fan_out()
        .run_on(reachability, move |node| {
            let template_storage = template_storage.clone();
            let target_storage = target_storage.clone();
            let template = template.clone();
            async move {
                let storages = node.storages().await?;
                let usable = |name: &str| {
                    storages
                        .iter()
                        .find(|s| s.storage == name && storage_usable(s))
                };
                let (Some(target), Some(_)) = (usable(&target_storage), usable(&template_storage))
                else {
                    return Ok(None);
                };
                let avail = target.avail.unwrap_or(0);
                let content = node
                    .storage_content(&template_storage, Some("vztmpl"))
                    .await?;
                Ok(content.iter().any(|c| c.volid == template).then_some(avail))
            }
        })
        .await;
    let candidates: Vec<NodeCandidate> = online
        .iter()
        .filter_map(|n| match free_disk.get(&n.node) {
            Some(Ok(Some(free_disk))) => Some(NodeCandidate {
                node: n.node.clone(),
                free_memory: n.maxmem.unwrap_or(0).saturating_sub(n.mem.unwrap_or(0)),
                cpu_load: n.cpu.unwrap_or(0.0),
                free_disk: *free_disk,
            }),
            _ => None,
        })
        .collect();
    spec.placement
        .choose(&candidates)
        .map(|c| c.node.clone())
        .ok_or_else(|| {
            Error::invalid_input(
                "node",
                format!(
                    "no online node holds both template '{}' and storage '{}'; name a node or \
                     download the template first",
                    spec.template, spec.storage
                ),
            )
        })
}

impl ContainerSpec {
    /// The `POST /nodes/{node}/lxc` request for this spec.
    pub(crate) fn create_request(&self, node: &str, vmid: u32) -> ApiRequest {
        let mut request = ApiRequest::post(["nodes", node, "lxc"])
            .param("vmid", vmid)
            .param("ostemplate", self.template.as_str())
            .param("hostname", self.hostname.as_str())
            .param("cores", self.cores)
            .param("memory", self.memory_mib)
            .param("swap", self.swap_mib)
            .param("rootfs", format!("{}:{}", self.storage, self.disk_gib))
            .param("net0", self.net0.as_str())
            .param("unprivileged", self.unprivileged)
            .param_opt("ostype", self.ostype.map(|o| o.as_str()));
        if let Some(password) = &self.password {
            request = request.param("password", SecretString::clone(password));
        }
        if !self.ssh_public_keys.is_empty() {
            request = request.param("ssh-public-keys", self.ssh_public_keys.join("\n"));
        }
        request
    }
}

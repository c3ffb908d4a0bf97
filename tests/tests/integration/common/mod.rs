//! Shared setup: an in-process simulator and clients connected to it.
#![allow(dead_code)] // each test file uses a different part of this module

use std::time::Duration;

use proxmox_api_core::api::ContainerSpec;
use proxmox_api_core::{Client, Credentials, Task, TaskOutcome};
use proxmox_api_sim::{RunningSimulator, Simulator};

/// A simulator and a root client on it.
pub struct Env {
    /// The running simulator (dropping it shuts it down).
    pub sim: RunningSimulator,
    /// `root@pam` on it.
    pub client: Client,
}

/// The template every simulator node has downloaded.
pub const TEMPLATE_PREFIX: &str = "local:vztmpl/";

/// Starts a simulator with `nodes` nodes whose tasks take a tenth of their usual time.
pub async fn start(nodes: usize) -> Env {
    start_scaled(nodes, 0.02).await
}

/// Starts a simulator with the given task-duration scale.
pub async fn start_scaled(nodes: usize, scale: f64) -> Env {
    let sim = Simulator::builder()
        .nodes(nodes)
        .task_duration_scale(scale)
        .start()
        .await
        .expect("simulator starts");
    let client = client_for(&sim, sim.user(), sim.password());
    Env { sim, client }
}

/// A client on `sim` logged in as `user`.
pub fn client_for(sim: &RunningSimulator, user: &str, password: &str) -> Client {
    Client::builder(sim.url())
        .credentials(Credentials::password(user, password))
        .pin_fingerprint(sim.fingerprint())
        .expect("valid fingerprint")
        .build()
        .expect("client builds")
}

/// Waits for a task with short polls (the simulator's tasks are scaled down).
pub async fn finish(task: Task) -> Result<TaskOutcome, proxmox_api_core::Error> {
    task.wait()
        .backoff(Duration::from_millis(10), Duration::from_millis(100), 1.5)
        .max_wait(Duration::from_secs(60))
        .await
}

/// A template volid downloaded on `node`.
pub async fn a_template(client: &Client, node: &str) -> String {
    client
        .node(node)
        .templates()
        .await
        .expect("templates")
        .into_iter()
        .map(|t| t.volid)
        .find(|v| v.starts_with(TEMPLATE_PREFIX))
        .expect("the simulator pre-downloads templates into local")
}

/// A valid spec for `template` with the given hostname.
pub fn spec(template: &str, hostname: &str) -> proxmox_api_core::api::ContainerSpecBuilder {
    ContainerSpec::builder()
        .hostname(hostname)
        .template(template)
        .password("s3cret-root")
        .memory_mib(256)
        .disk_gib(2)
}

/// Creates a container from a template on `node`, waits for the creation and returns its vmid:
/// the setup of every test that needs a container and is not about creating one.
pub async fn created_container(client: &Client, node: &str, hostname: &str) -> u32 {
    let template = a_template(client, node).await;
    let created = client
        .containers()
        .create(spec(&template, hostname).node(node).build().unwrap())
        .send()
        .await
        .expect("the creation is accepted");
    finish(created.task)
        .await
        .expect("the creation task ends OK");
    created.vmid
}

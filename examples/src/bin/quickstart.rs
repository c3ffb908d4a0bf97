//! The quickstart tour: nodes, templates, a user, a container placed by policy and started with
//! progress, its console URL, a CPU chart, then its deletion and the destroy log.
//!
//! Without `PVE_URL` it starts the embedded simulator in-process and tours that; with `PVE_URL`
//! (+ `PVE_USER`/`PVE_PASSWORD` or `PVE_TOKEN_ID`/`PVE_TOKEN_SECRET`, optional `PVE_FINGERPRINT`,
//! `PVE_STORAGE`) it tours a real cluster, creating and then removing one user and one container.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use proxmox_api_core::api::{ContainerSpec, Placement};
use proxmox_api_core::models::{GuestRrdPoint, RrdConsolidation, RrdTimeframe};
use proxmox_api_core::tasks::{TaskPhase, TaskProgress};
use proxmox_api_core::{Client, Credentials, Error};
use proxmox_api_examples::{human_bytes, human_duration, text_chart, utc_time};
use proxmox_api_sim::Simulator;

type BoxError = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("quickstart failed: {e}");
        std::process::exit(1);
    }
}

/// A random alphanumeric string (for throwaway passwords and names), without extra crates.
fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::new();
    while out.len() < len {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_usize(out.len());
        let mut bits = hasher.finish();
        for _ in 0..8 {
            if out.len() == len {
                break;
            }
            out.push(ALPHABET[(bits % ALPHABET.len() as u64) as usize] as char);
            bits /= ALPHABET.len() as u64;
        }
    }
    out
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn print_progress(label: &'static str) -> impl FnMut(&TaskProgress) + Send + 'static {
    move |progress: &TaskProgress| {
        for line in &progress.new_lines {
            println!("    [{label}] {line}");
        }
        if progress.phase == TaskPhase::Running && progress.new_lines.is_empty() {
            println!(
                "    [{label}] running ({} ms)",
                progress.elapsed.as_millis()
            );
        }
    }
}

async fn run() -> Result<(), BoxError> {
    // Keep the simulator alive for the whole tour: dropping it shuts it down.
    let (client, _simulator, storage) = match env("PVE_URL") {
        Some(url) => (connect_real(&url)?, None, env("PVE_STORAGE")),
        None => {
            println!("PVE_URL is not set: starting the embedded simulator (3 nodes)");
            let sim = Simulator::builder()
                .nodes(3)
                .task_duration_scale(0.05)
                .start()
                .await?;
            let client = Client::builder(sim.url())
                .credentials(Credentials::password(sim.user(), sim.password()))
                .pin_fingerprint(sim.fingerprint())?
                .build()?;
            (client, Some(sim), None)
        }
    };
    let version = client.version().await?;
    println!(
        "Connected to Proxmox VE {} at {}\n",
        version.version,
        client.base_url()
    );

    println!("== Nodes");
    println!(
        "{:<10} {:<8} {:>6} {:>22} {:>12}  fingerprint",
        "node", "status", "cpu", "memory", "uptime"
    );
    for node in client.nodes().list().await? {
        let fingerprint = node.ssl_fingerprint.as_deref().unwrap_or("-");
        println!(
            "{:<10} {:<8} {:>5.1}% {:>22} {:>12}  {}…",
            node.node,
            node.status.as_str(),
            node.cpu.unwrap_or(0.0) * 100.0,
            format!(
                "{} / {}",
                human_bytes(node.mem.unwrap_or(0)),
                human_bytes(node.maxmem.unwrap_or(0))
            ),
            human_duration(node.uptime.unwrap_or(0)),
            &fingerprint[..fingerprint.len().min(23)],
        );
    }

    println!("\n== Templates (merged across nodes)");
    let catalog = client.templates().list_all().await?;
    for template in &catalog.templates {
        let nodes: Vec<&str> = template.nodes().collect();
        println!("  {:<60} on {}", template.volid, nodes.join(", "));
    }
    for (node, error) in &catalog.unreachable {
        println!("  ({node}: {error})");
    }
    let template = catalog
        .templates
        .iter()
        .find(|t| t.name.starts_with("debian"))
        .or_else(|| catalog.templates.first())
        .ok_or("no container template is downloaded on any node")?;
    // The root disk goes next to the template unless told otherwise, so placement finds nodes
    // that have both.
    let storage = storage.unwrap_or_else(|| "local-lvm".to_owned());

    println!("\n== A user");
    let username = format!("quickstart-{}", random_token(6).to_lowercase());
    let userid = client
        .users()
        .create(&username, random_token(16))
        .comment("created by the proxmox-api quickstart")
        .send()
        .await?;
    println!("  created {userid} (password not shown)");

    println!("\n== A container, placed by most free memory");
    let spec = ContainerSpec::builder()
        .hostname("quickstart")
        .template(&template.volid)
        .storage(&storage)
        .cores(1)
        .memory_mib(512)
        .disk_gib(4)
        .password(random_token(16))
        .owner(&userid)
        .placement(Placement::MostFreeMemory)
        .build()?;
    let created = client.containers().create(spec).send().await?;
    println!(
        "  CT {} on {} ({})",
        created.vmid,
        created.node,
        created.task.upid()
    );
    let outcome = created
        .task
        .wait()
        .backoff(Duration::from_millis(50), Duration::from_secs(2), 1.5)
        .on_progress(print_progress("create"))
        .await?;
    println!("  created: {}", outcome.exit_status);
    let container = client.node(&created.node).container(created.vmid);
    let outcome = container
        .start()
        .await?
        .wait()
        .backoff(Duration::from_millis(50), Duration::from_secs(2), 1.5)
        .on_progress(print_progress("start"))
        .await?;
    println!("  started: {}", outcome.exit_status);
    let merged = client.containers().get(created.vmid).await?;
    println!(
        "  status {:?}, hostname {}, owner {userid} holds {:?}",
        merged.status.status,
        merged.config.hostname.as_deref().unwrap_or("?"),
        client.users().get(&userid).await?.vmids
    );

    println!("\n== Console");
    println!(
        "  {}",
        client.console_url(&created.node, created.vmid, "quickstart")
    );

    println!("\n== CPU of CT {} (last hour, average)", created.vmid);
    let points: Vec<GuestRrdPoint> = container
        .rrddata(RrdTimeframe::Hour, RrdConsolidation::Average)
        .await?;
    let cpu: Vec<Option<f64>> = points.iter().rev().take(60).rev().map(|p| p.cpu).collect();
    print!("{}", text_chart(&cpu, 6));
    let samples = cpu.iter().flatten().count();
    if samples < 10 {
        // A brand-new container has almost no history yet; its node has plenty.
        println!(
            "  (only {samples} samples so far; node {} for comparison:)",
            created.node
        );
        let node_points = client
            .node(&created.node)
            .rrddata(RrdTimeframe::Hour, RrdConsolidation::Average)
            .await?;
        let node_cpu: Vec<Option<f64>> = node_points
            .iter()
            .rev()
            .take(60)
            .rev()
            .map(|p| p.cpu)
            .collect();
        print!("{}", text_chart(&node_cpu, 6));
    }

    println!(
        "\n== Deleting CT {} (stopped first, it is running)",
        created.vmid
    );
    let outcome = container
        .delete()
        .await?
        .wait()
        .backoff(Duration::from_millis(50), Duration::from_secs(2), 1.5)
        .on_progress(print_progress("destroy"))
        .await?;
    println!("  destroyed: {}", outcome.exit_status);
    client.users().delete(&userid).await?;
    println!("  removed user {userid}");

    println!("\n== Destroy log");
    println!(
        "  {:>6} {:<8} {:<22} {:<19}  {:<19}  outcome",
        "vmid", "node", "user", "start (UTC)", "end (UTC)"
    );
    for record in client.cluster().destroy_log().await? {
        println!(
            "  {:>6} {:<8} {:<22} {:<19}  {:<19}  {:?}",
            record.vmid,
            record.node,
            record.user,
            utc_time(record.start),
            record.end.map(utc_time).unwrap_or_else(|| "-".into()),
            record.outcome
        );
    }
    println!("\nDone.");
    Ok(())
}

fn connect_real(url: &str) -> Result<Client, Error> {
    let credentials = match (env("PVE_TOKEN_ID"), env("PVE_TOKEN_SECRET")) {
        (Some(id), Some(secret)) => Credentials::api_token(id, secret),
        _ => Credentials::password(
            env("PVE_USER").unwrap_or_else(|| "root@pam".to_owned()),
            env("PVE_PASSWORD").ok_or_else(|| {
                Error::invalid_input(
                    "PVE_PASSWORD",
                    "set PVE_PASSWORD, or PVE_TOKEN_ID and PVE_TOKEN_SECRET",
                )
            })?,
        ),
    };
    let mut builder = Client::builder(url).credentials(credentials);
    if let Some(fingerprint) = env("PVE_FINGERPRINT") {
        builder = builder.pin_fingerprint(&fingerprint)?;
    }
    builder.build()
}

//! Fault soak: mixed operations through the core against the simulator, with about 10% injected
//! faults (5xx, offline node, ticket expiry, connection resets and stalls by a loopback proxy).
//! Asserts no panic, no hang, no automatic retry of a write, no orphaned or duplicated container,
//! no leaked lock; prints its counts.
//!
//! Short form by default (CI): `SOAK_OPS` operations (default 400) within `SOAK_SECONDS` (default
//! 60). Long form: `SOAK_OPS=3000 SOAK_SECONDS=600 cargo test -p proxmox-api-tests --test integration --profile ci soak -- --nocapture`.

use crate::fault_proxy;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use fault_proxy::{Fault, FaultProxy};
use proxmox_api_core::api::ContainerSpec;
use proxmox_api_core::{Client, Clock, Credentials, Error, SystemClock};
use proxmox_api_sim::Simulator;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (xorshift), so a failing run can be repeated by its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[derive(Default, Debug)]
struct Counts {
    ops: u64,
    ok: u64,
    errors: BTreeMap<&'static str, u64>,
    faults: BTreeMap<&'static str, u64>,
    creates: u64,
    caller_repeats: u64,
    deletes: u64,
    settled_at_end: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_soak() {
    let ops = env_or("SOAK_OPS", 400);
    let seconds = env_or("SOAK_SECONDS", 60);
    let seed = env_or("SOAK_SEED", 0x5eed_2026);
    // No hang: the whole soak, final checks included, has a hard bound.
    tokio::time::timeout(Duration::from_secs(seconds + 120), soak(ops, seconds, seed))
        .await
        .expect("the soak finished within its time bound (no hang)");
}

async fn soak(ops: u64, seconds: u64, seed: u64) {
    let sim = Simulator::builder()
        .nodes(3)
        .plain_http(true)
        .task_duration_scale(0.005)
        .start()
        .await
        .unwrap();
    let control = sim.control();
    let proxy = FaultProxy::start(sim.url()).await;
    let client = Client::builder(proxy.url())
        .allow_insecure_http(true)
        .credentials(Credentials::password(sim.user(), sim.password()))
        .request_timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let observer = Client::builder(sim.url())
        .allow_insecure_http(true)
        .credentials(Credentials::password(sim.user(), sim.password()))
        .build()
        .unwrap();
    let template = observer
        .node("pve1")
        .templates()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.volid)
        .find(|v| v.starts_with("local:vztmpl/"))
        .unwrap();
    let initial: BTreeSet<u32> = observer
        .containers()
        .list()
        .await
        .unwrap()
        .iter()
        .map(|g| g.vmid)
        .collect();

    let clock = SystemClock::new();
    let started = clock.now();
    let mut rng = Rng(seed);
    let mut counts = Counts::default();
    // Containers this soak created and has not deleted, and those whose deletion's outcome
    // is unknown (they may or may not exist at the end).
    let mut live: BTreeMap<u32, String> = BTreeMap::new();
    let mut maybe_deleted: BTreeSet<u32> = BTreeSet::new();
    let mut offline_until: Option<u64> = None;
    // Creations whose outcome stayed unknown after the caller's repeats: settled at the end by
    // one more call with the same key.
    let mut unsettled: Vec<(u64, &'static str)> = Vec::new();

    for i in 0..ops {
        if clock.now().duration_since(started).unwrap() > Duration::from_secs(seconds) {
            break;
        }
        counts.ops += 1;
        if offline_until == Some(i) {
            control.set_node_online("pve2", true);
            offline_until = None;
        }
        if rng.below(10) == 0 {
            let kind = match rng.below(6) {
                0 => {
                    control.fail_next("GET", "/cluster/resources", 1, 503, "injected");
                    "503 on a GET"
                }
                1 => {
                    control.fail_next("POST", "/nodes/*/lxc", 1, 500, "injected");
                    "500 on a create"
                }
                2 => {
                    control.set_node_online("pve2", false);
                    offline_until = Some(i + 5);
                    "node offline"
                }
                3 => {
                    control.expire_tickets();
                    "tickets expired"
                }
                4 => {
                    proxy.arm("", Fault::Reset, 1);
                    "connection reset"
                }
                _ => {
                    proxy.arm("", Fault::Stall, 1);
                    "stall"
                }
            };
            *counts.faults.entry(kind).or_default() += 1;
        }
        let result: Result<(), Error> = match rng.below(10) {
            0..=3 => client.containers().list().await.map(drop),
            4 => client.nodes().list().await.map(drop),
            5 => client.version().await.map(drop),
            6 | 7 => {
                // The simulator's template is downloaded on pve1 only; pve2 goes offline as a
                // fault, which the node list and status calls see.
                let node = "pve1";
                counts.creates += 1;
                let result =
                    create(&client, &proxy, &template, node, i, &mut counts, &mut live).await;
                if matches!(&result, Err(e) if unknown_outcome(e)) {
                    unsettled.push((i, node));
                }
                result
            }
            8 => match live
                .keys()
                .nth(rng.below(live.len().max(1) as u64) as usize)
            {
                Some(&vmid) => {
                    let node = live[&vmid].clone();
                    let deletes_before = proxy.seen("DELETE ");
                    let result = client.node(&node).container(vmid).delete().await;
                    assert!(
                        proxy.seen("DELETE ") - deletes_before <= 1,
                        "a delete was sent more than once"
                    );
                    match result {
                        Ok(task) => {
                            counts.deletes += 1;
                            live.remove(&vmid);
                            let _ = task
                                .wait()
                                .backoff(Duration::from_millis(5), Duration::from_millis(50), 1.5)
                                .max_wait(Duration::from_secs(10))
                                .await;
                            Ok(())
                        }
                        Err(e) => {
                            if e.was_sent() && e.status().is_none_or(|s| s >= 500) {
                                live.remove(&vmid);
                                maybe_deleted.insert(vmid);
                            }
                            Err(e)
                        }
                    }
                }
                None => Ok(()),
            },
            _ => match live.iter().next() {
                Some((&vmid, node)) => client.node(node).container(vmid).status().await.map(drop),
                None => Ok(()),
            },
        };
        match result {
            Ok(()) => counts.ok += 1,
            Err(e) => *counts.errors.entry(e.code()).or_default() += 1,
        }
    }

    // Final checks on the simulator itself, faults off.
    control.clear_faults();
    control.set_node_online("pve2", true);
    for (i, node) in unsettled {
        counts.settled_at_end += 1;
        create(&client, &proxy, &template, node, i, &mut counts, &mut live)
            .await
            .expect("with faults off, repeating with the same key settles the creation");
    }
    let mut locked;
    let mut attempts = 0;
    let resources = loop {
        let guests = observer.containers().list().await.unwrap();
        locked = guests
            .iter()
            .filter(|g| g.lock.is_some())
            .map(|g| (g.vmid, g.lock.clone()))
            .collect::<Vec<_>>();
        attempts += 1;
        if locked.is_empty() || attempts > 100 {
            break guests;
        }
        // Tasks finish on the simulator's clock; wait for that, bounded.
        clock.sleep(Duration::from_millis(50)).await;
    };
    assert!(locked.is_empty(), "leaked locks: {locked:?}");
    let now: BTreeSet<u32> = resources.iter().map(|g| g.vmid).collect();
    for vmid in &now {
        assert!(
            initial.contains(vmid) || live.contains_key(vmid) || maybe_deleted.contains(vmid),
            "container {vmid} exists but no call returned it (orphan)"
        );
    }
    for vmid in live.keys() {
        assert!(
            now.contains(vmid),
            "container {vmid} was returned as created but is gone"
        );
    }
    let mut per_marker: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for guest in &resources {
        for tag in guest.tag_list() {
            if tag.starts_with("pxa-") {
                per_marker.entry(tag).or_default().push(guest.vmid);
            }
        }
    }
    let duplicates: Vec<_> = per_marker.values().filter(|v| v.len() > 1).collect();
    assert!(
        duplicates.is_empty(),
        "duplicated creations: {duplicates:?}"
    );
    let (resets, stalls) = proxy.counts();
    let elapsed = clock.now().duration_since(started).unwrap();
    println!(
        "soak: {} ops in {:.1} s, {} ok, errors {:?}, faults {:?} (proxy: {resets} resets, {stalls} stalls), {} creates ({} caller repeats with the same key), {} deletes, {} unconfirmed creations settled at the end, {} containers at the end, 0 orphans, 0 duplicates, 0 locks",
        counts.ops,
        elapsed.as_secs_f64(),
        counts.ok,
        counts.errors,
        counts.faults,
        counts.creates,
        counts.caller_repeats,
        counts.deletes,
        counts.settled_at_end,
        now.len()
    );
    assert!(
        counts.ok > counts.ops / 2,
        "most operations succeed: {counts:?}"
    );
}

/// Whether a creation may or may not have happened.
fn unknown_outcome(e: &Error) -> bool {
    matches!(e, Error::CreateUnconfirmed { .. })
        || (e.was_sent() && e.status().is_none_or(|s| s == 0 || s >= 502))
}

/// One creation with an idempotency key; when the outcome is unknown, the caller (this soak)
/// repeats the call with the same key, which must never create a second container.
async fn create(
    client: &Client,
    proxy: &FaultProxy,
    template: &str,
    node: &str,
    i: u64,
    counts: &mut Counts,
    live: &mut BTreeMap<u32, String>,
) -> Result<(), Error> {
    let key = format!("soak-{i}");
    let mut last = None;
    for attempt in 0..4 {
        if attempt > 0 {
            counts.caller_repeats += 1;
        }
        let spec = ContainerSpec::builder()
            .hostname(format!("soak{i}"))
            .template(template)
            .node(node)
            .password("s3cret-root")
            .memory_mib(128)
            .disk_gib(1)
            .build()
            .unwrap();
        let posts_before = proxy.seen("POST /api2/json/nodes/");
        let result = client
            .containers()
            .create(spec)
            .idempotency_key(key.as_str())
            .send()
            .await;
        let posts = proxy.seen("POST /api2/json/nodes/") - posts_before;
        assert!(
            posts <= 1,
            "one create call posted {posts} times (automatic write retry)"
        );
        match result {
            Ok(created) => {
                assert_eq!(created.node, node);
                live.insert(created.vmid, created.node.clone());
                let _ = created
                    .task
                    .wait()
                    .backoff(Duration::from_millis(5), Duration::from_millis(50), 1.5)
                    .max_wait(Duration::from_secs(10))
                    .await;
                return Ok(());
            }
            Err(e) => {
                // Repeat only what may have happened: the key makes a repeat safe.
                if !unknown_outcome(&e) {
                    return Err(e);
                }
                last = Some(e);
            }
        }
    }
    Err(last.expect("at least one attempt"))
}

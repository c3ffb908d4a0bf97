//! Fan-out end to end: offline nodes, per-node timeouts and real concurrency.

use crate::common;

use std::time::{Duration, Instant};

use common::start;
use proxmox_api_core::Error;

/// Wall time of one future. The tests here measure real latency on purpose.
#[allow(clippy::disallowed_methods)]
async fn timed<T>(fut: impl std::future::Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = fut.await;
    (out, started.elapsed())
}

#[tokio::test]
async fn an_offline_node_is_reported_at_once_and_the_others_answer() {
    let env = start(3).await;
    env.sim.control().set_node_online("pve2", false);
    let (results, took) = timed(
        env.client
            .fan_out()
            .per_node_timeout(Duration::from_secs(5))
            .run(|node| async move { node.status().await }),
    )
    .await;
    let results = results.unwrap();
    assert_eq!(results.len(), 3);
    assert!(results["pve1"].is_ok());
    assert!(results["pve3"].is_ok());
    match &results["pve2"] {
        Err(e @ Error::NodeUnreachable { .. }) => assert_eq!(e.code(), "NODE_UNREACHABLE"),
        other => panic!("expected NodeUnreachable, got {other:?}"),
    }
    assert!(
        took < Duration::from_secs(5),
        "within the per-node timeout: {took:?}"
    );

    // The same through the convenience that uses it.
    let all = env.client.nodes().status_all().await.unwrap();
    assert!(all["pve2"].is_err() && all["pve1"].is_ok());
}

#[tokio::test]
async fn a_slow_node_times_out_alone() {
    let env = start(3).await;
    // Warm up (login, one connection per node) so only the fan-out itself is measured.
    env.client
        .fan_out()
        .run(|node| async move { node.status().await })
        .await
        .unwrap();
    env.sim
        .control()
        .set_node_latency("pve3", Duration::from_millis(1500));
    let (results, took) = timed(
        env.client
            .fan_out()
            .per_node_timeout(Duration::from_millis(300))
            .run(|node| async move { node.status().await }),
    )
    .await;
    let results = results.unwrap();
    assert!(results["pve1"].is_ok() && results["pve2"].is_ok());
    assert_eq!(results["pve3"].as_ref().unwrap_err().code(), "TIMEOUT");
    assert!(
        took < Duration::from_millis(1500),
        "did not wait for the slow node: {took:?}"
    );
}

// Two workers: the in-process simulator and the client share the runtime, as they would not in
// production; one thread would serialise their TLS work and measure that instead of the fan-out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_nodes_with_latency_take_less_than_twice_one() {
    let env = start(16).await;
    let latency = Duration::from_millis(20);
    for i in 1..=16 {
        env.sim
            .control()
            .set_node_latency(&format!("pve{i}"), latency);
    }
    let fan_out = || {
        env.client
            .fan_out()
            .concurrency(16)
            .only((1..=16).map(|i| format!("pve{i}")))
            .run(|node| async move { node.status().await })
    };
    // Warm up: log in and open one pooled connection per concurrent request, so neither the
    // login nor TLS handshakes are measured.
    fan_out().await.unwrap();
    // Best of five for both, so a busy CI machine's scheduling hiccups do not decide the result.
    let mut single = Duration::MAX;
    let mut fanned = Duration::MAX;
    for _ in 0..5 {
        let (one, took) = timed(env.client.node("pve1").status()).await;
        one.unwrap();
        single = single.min(took);
        let (all, took) = timed(fan_out()).await;
        let all = all.unwrap();
        assert_eq!(all.len(), 16);
        assert!(all.values().all(Result::is_ok));
        fanned = fanned.min(took);
    }
    println!("one node: {single:?}, 16 nodes: {fanned:?}");
    // The fan-out includes one GET /cluster/status without node latency.
    assert!(single >= latency, "the latency applies: {single:?}");
    assert!(
        fanned < single * 2,
        "one node {single:?}, sixteen {fanned:?}"
    );
}

//! The fan-out covers a 16-node cluster in one wave by default and reuses a node list it learnt
//! moments ago instead of asking `/cluster/status` before every run.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use proxmox_api_core::{Client, HttpRequest, HttpResponse, Transport, TransportError};

/// Answers `/cluster/status` with 16 online nodes and every node call with `{}`, recording how
/// many node calls were in flight at once.
#[derive(Debug, Default)]
struct Cluster16 {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    status_calls: AtomicUsize,
}

#[async_trait]
impl Transport for Cluster16 {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let body = if request.url.path().ends_with("/cluster/status") {
            self.status_calls.fetch_add(1, Ordering::SeqCst);
            let nodes: Vec<_> = (1..=16)
                .map(|i| serde_json::json!({"type":"node","name":format!("pve{i}"),"online":1}))
                .collect();
            serde_json::json!({ "data": nodes }).to_string()
        } else {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
            // Stay in flight for a while so that concurrent calls overlap.
            for _ in 0..64 {
                tokio::task::yield_now().await;
            }
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            r#"{"data":[]}"#.to_owned()
        };
        Ok(HttpResponse {
            status: 200,
            reason: None,
            headers: Vec::new(),
            body: Bytes::from(body),
        })
    }
}

#[tokio::test]
async fn sixteen_nodes_in_one_wave_and_one_status_call_for_two_runs() {
    let transport = Arc::new(Cluster16::default());
    // The system clock: a manual clock's sleeps end at once, which would end the per-node
    // timeouts before the overlapping calls do.
    let client = Client::builder("pve.example.com")
        .transport(transport.clone())
        .build()
        .unwrap();
    for _ in 0..2 {
        let results = client
            .fan_out()
            .run(|node| async move { node.storages().await })
            .await
            .unwrap();
        assert_eq!(results.len(), 16);
        assert!(results.values().all(Result::is_ok));
    }
    assert_eq!(
        transport.max_in_flight.load(Ordering::SeqCst),
        16,
        "one wave"
    );
    assert_eq!(
        transport.status_calls.load(Ordering::SeqCst),
        1,
        "node list reused"
    );
}

//! The task waiter against a scripted server (mockito) and a manual clock: backoff, progress,
//! "no such task" retries, warnings, failures and timeouts, without any real sleeping.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use mockito::{Matcher, Server, ServerGuard};
use proxmox_api_core::tasks::{TaskPhase, TaskProgress};
use proxmox_api_core::{Client, Credentials, Error, ManualClock, Task, Upid};

const UPID: &str = "UPID:pve1:0000ABCD:0012345F:6553F00D:vzcreate:100:root@pam:";

fn client(server: &ServerGuard, clock: &ManualClock) -> Client {
    Client::builder(server.url())
        .credentials(Credentials::api_token("root@pam!ci", "token-secret"))
        .allow_insecure_http(true)
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap()
}

fn task(client: &Client) -> Task {
    let upid: Upid = serde_json::from_value(serde_json::json!(UPID)).unwrap();
    Task::new(client.clone(), upid)
}

fn status_path() -> Matcher {
    Matcher::Regex(r"^/api2/json/nodes/pve1/tasks/UPID[^/]+/status$".to_owned())
}

fn log_path() -> Matcher {
    Matcher::Regex(r"^/api2/json/nodes/pve1/tasks/UPID[^/]+/log".to_owned())
}

fn status_body(running: bool, exit: Option<&str>) -> String {
    let mut data = serde_json::json!({
        "upid": UPID, "node": "pve1", "pid": 43981, "pstart": 1193055,
        "starttime": 1700000013u64, "type": "vzcreate", "id": "100", "user": "root@pam",
        "status": if running { "running" } else { "stopped" },
    });
    if let Some(exit) = exit {
        data["exitstatus"] = exit.into();
    }
    serde_json::json!({ "data": data }).to_string()
}

fn log_body(from: u64, lines: &[&str]) -> String {
    let data: Vec<_> = lines
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"n": from + i as u64 + 1, "t": t}))
        .collect();
    serde_json::json!({ "data": data }).to_string()
}

async fn mock_status(server: &mut ServerGuard, running: bool, exit: Option<&str>, hits: usize) {
    server
        .mock("GET", status_path())
        .with_body(status_body(running, exit))
        .expect(hits)
        .create_async()
        .await;
}

async fn mock_log(server: &mut ServerGuard, start: u64, lines: &[&str]) {
    server
        .mock("GET", log_path())
        .match_query(Matcher::UrlEncoded("start".into(), start.to_string()))
        .with_body(log_body(start, lines))
        .create_async()
        .await;
}

#[tokio::test]
async fn waits_with_backoff_and_reports_new_log_lines() {
    let mut server = Server::new_async().await;
    let clock = ManualClock::at_unix(1_700_000_000);
    mock_status(&mut server, true, None, 2).await;
    mock_status(&mut server, false, Some("OK"), 1).await;
    mock_log(&mut server, 0, &["extracting archive"]).await;
    mock_log(&mut server, 1, &["detected OS: debian"]).await;
    mock_log(&mut server, 2, &["TASK OK"]).await;
    let client = client(&server, &clock);

    let reports: Arc<Mutex<Vec<TaskProgress>>> = Arc::default();
    let sink = reports.clone();
    let outcome = task(&client)
        .wait()
        .backoff(Duration::from_millis(100), Duration::from_millis(200), 2.0)
        .on_progress(move |p| sink.lock().unwrap().push(p.clone()))
        .await
        .unwrap();

    assert_eq!(outcome.warnings, 0);
    assert_eq!(outcome.exit_status, "OK");
    assert_eq!(outcome.upid.to_string(), UPID);
    // First poll at once, then 100 ms, then doubled but capped at 200 ms.
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_millis(100), Duration::from_millis(200)]
    );
    let reports = reports.lock().unwrap();
    let phases: Vec<TaskPhase> = reports.iter().map(|r| r.phase).collect();
    assert_eq!(
        phases,
        vec![TaskPhase::Running, TaskPhase::Running, TaskPhase::Stopped]
    );
    let lines: Vec<&str> = reports
        .iter()
        .flat_map(|r| r.new_lines.iter().map(String::as_str))
        .collect();
    assert_eq!(
        lines,
        vec!["extracting archive", "detected OS: debian", "TASK OK"]
    );
    assert_eq!(reports[2].elapsed, Duration::from_millis(300));
}

#[tokio::test]
async fn no_such_task_right_after_creation_is_retried() {
    let mut server = Server::new_async().await;
    let clock = ManualClock::at_unix(1_700_000_000);
    server
        .mock("GET", status_path())
        .with_status(400)
        .with_body(r#"{"data":null,"message":"no such task\n"}"#)
        .expect(2)
        .create_async()
        .await;
    mock_status(&mut server, false, Some("WARNINGS: 2"), 1).await;
    mock_log(
        &mut server,
        0,
        &["WARN: something odd", "WARN: again", "TASK WARNINGS: 2"],
    )
    .await;
    let client = client(&server, &clock);

    let outcome = task(&client)
        .wait()
        .backoff(Duration::from_millis(10), Duration::from_secs(1), 1.0)
        .await
        .unwrap();
    assert_eq!(outcome.warnings, 2, "WARNINGS: n is success with warnings");
    assert!(!outcome.is_clean());
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn a_failed_task_is_an_error_with_exit_status_and_log_tail() {
    let mut server = Server::new_async().await;
    let clock = ManualClock::at_unix(1_700_000_000);
    let exit = "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout";
    mock_status(&mut server, false, Some(exit), 1).await;
    let mut lines: Vec<String> = (1..=30).map(|i| format!("line {i}")).collect();
    lines.push(format!("TASK ERROR: {exit}"));
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    mock_log(&mut server, 0, &refs).await;
    let client = client(&server, &clock);

    let err = task(&client).wait().await.unwrap_err();
    assert_eq!(err.code(), "TASK_FAILED");
    match err {
        Error::TaskFailed {
            upid,
            exit_status,
            log_tail,
        } => {
            assert_eq!(upid, UPID);
            assert_eq!(exit_status, exit);
            assert_eq!(log_tail.len(), 20);
            assert_eq!(log_tail.last().unwrap(), &format!("TASK ERROR: {exit}"));
            assert_eq!(log_tail[0], "line 12");
        }
        other => panic!("expected TaskFailed, got {other:?}"),
    }
    assert!(clock.sleeps().is_empty(), "a stopped task needs no waiting");
}

#[tokio::test]
async fn gives_up_after_max_wait_without_sleeping_past_it() {
    let mut server = Server::new_async().await;
    let clock = ManualClock::at_unix(1_700_000_000);
    server
        .mock("GET", status_path())
        .with_body(status_body(true, None))
        .create_async()
        .await;
    server
        .mock("GET", log_path())
        .match_query(Matcher::Any)
        .with_body(r#"{"data":[]}"#)
        .create_async()
        .await;
    let client = client(&server, &clock);

    let err = task(&client)
        .wait()
        .max_wait(Duration::from_secs(10))
        .backoff(Duration::from_secs(1), Duration::from_secs(4), 2.0)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "TASK_TIMEOUT");
    let slept: Duration = clock.sleeps().iter().sum();
    assert_eq!(slept, Duration::from_secs(10));
    // 1 + 2 + 4 = 7, then 3 more to the deadline exactly.
    assert_eq!(
        clock.sleeps(),
        vec![1, 2, 4, 3]
            .into_iter()
            .map(Duration::from_secs)
            .collect::<Vec<_>>()
    );
    assert!(matches!(
        err,
        Error::TaskTimeout {
            waited_ms: 10_000,
            ..
        }
    ));
}

#[tokio::test]
async fn progress_is_also_a_stream() {
    let mut server = Server::new_async().await;
    let clock = ManualClock::at_unix(1_700_000_000);
    mock_status(&mut server, true, None, 1).await;
    mock_status(&mut server, false, Some("OK"), 1).await;
    mock_log(&mut server, 0, &["starting"]).await;
    mock_log(&mut server, 1, &["TASK OK"]).await;
    let client = client(&server, &clock);

    let items: Vec<_> = task(&client).wait().progress().collect().await;
    assert_eq!(items.len(), 2);
    let first = items[0].as_ref().unwrap();
    assert_eq!(first.phase, TaskPhase::Running);
    assert_eq!(first.new_lines, vec!["starting"]);
    let last = items[1].as_ref().unwrap();
    assert_eq!(last.phase, TaskPhase::Stopped);
    assert_eq!(last.new_lines, vec!["TASK OK"]);
}

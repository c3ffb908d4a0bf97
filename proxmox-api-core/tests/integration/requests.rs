//! What goes on the wire: CSRF only on writes, the token header, form and query encoding,
//! percent-encoded path segments.

use crate::common;

use common::*;
use mockito::Matcher;
use proxmox_api_core::{ApiRequest, Credentials, ManualClock, Method, Params};

async fn logged_in(
    server: &mut mockito::ServerGuard,
    clock: &ManualClock,
) -> (String, mockito::Mock) {
    let t = ticket("root@pam", T0, "sig");
    let login = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Exact("username=root%40pam&password=pw".to_owned()))
        .with_body(login_reply("root@pam", &t, "4EEC61E2:csrf+token/x"))
        .expect(1)
        .create_async()
        .await;
    let _ = clock;
    (t, login)
}

#[tokio::test]
async fn csrf_header_on_writes_and_not_on_gets() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let (t, login) = logged_in(&mut server, &clock).await;
    let cookie = format!("PVEAuthCookie={t}");
    let get = server
        .mock("GET", "/api2/json/cluster/resources")
        .match_header("cookie", cookie.as_str())
        .match_header("csrfpreventiontoken", Matcher::Missing)
        .match_query(Matcher::Exact("type=vm".to_owned()))
        .with_body(r#"{"data":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let mut writes = Vec::new();
    for method in ["POST", "PUT", "DELETE"] {
        writes.push(
            server
                .mock(method, "/api2/json/access/acl")
                .match_header("cookie", cookie.as_str())
                .match_header("csrfpreventiontoken", "4EEC61E2:csrf+token/x")
                .with_body(r#"{"data":null}"#)
                .expect(1)
                .create_async()
                .await,
        );
    }
    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "pw"))
        .build()
        .unwrap();
    let _: Vec<serde_json::Value> = client
        .send(ApiRequest::get(["cluster", "resources"]).param("type", "vm"))
        .await
        .unwrap();
    for method in [Method::Post, Method::Put, Method::Delete] {
        client
            .request(method, "/access/acl", Params::new())
            .await
            .unwrap();
    }
    login.assert_async().await;
    get.assert_async().await;
    for w in writes {
        w.assert_async().await;
    }
}

#[tokio::test]
async fn token_header_and_no_login() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let login = server
        .mock("POST", "/api2/json/access/ticket")
        .expect(0)
        .create_async()
        .await;
    let get = server
        .mock("GET", "/api2/json/nodes")
        .match_header(
            "authorization",
            "PVEAPIToken=automation@pve!ci=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        )
        .match_header("cookie", Matcher::Missing)
        .with_body(r#"{"data":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let post = server
        .mock("POST", "/api2/json/nodes/pve1/lxc")
        .match_header("csrfpreventiontoken", Matcher::Missing)
        .match_header("authorization", Matcher::Regex("^PVEAPIToken=".to_owned()))
        .with_body(r#"{"data":"UPID:x"}"#)
        .expect(1)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::api_token(
            "automation@pve!ci",
            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        ))
        .build()
        .unwrap();
    let _: Vec<serde_json::Value> = client.get("/nodes").await.unwrap();
    let _: String = client
        .send(ApiRequest::post(["nodes", "pve1", "lxc"]).param("vmid", 100))
        .await
        .unwrap();
    login.assert_async().await;
    get.assert_async().await;
    post.assert_async().await;
}

#[tokio::test]
async fn form_body_booleans_arrays_and_odd_path_segments() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let create = server
        .mock("POST", "/api2/json/nodes/pve1/lxc")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body(Matcher::Exact(
            "vmid=101&unprivileged=1&start=0&ssh-public-keys=ssh-ed25519%20AAAA%20a%40b&ssh-public-keys=ssh-rsa%20BBBB&net0=name%3Deth0%2Cbridge%3Dvmbr0%2Cip%3Ddhcp&ostemplate=local%3Avztmpl%2Fdebian-12.tar.zst"
                .to_owned(),
        ))
        .with_body(r#"{"data":"UPID:x"}"#)
        .expect(1)
        .create_async()
        .await;
    let odd = server
        .mock(
            "DELETE",
            "/api2/json/nodes/pve1/storage/local/content/local%3Avztmpl%2Fdebian%2012%20%C3%A9.tar.zst",
        )
        .match_query(Matcher::Exact("delay=5&force=1".to_owned()))
        .match_body(Matcher::Exact(String::new()))
        .with_body(r#"{"data":null}"#)
        .expect(1)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::api_token("root@pam!t", "s"))
        .build()
        .unwrap();
    let _: String = client
        .send(
            ApiRequest::post(["nodes", "pve1", "lxc"])
                .param("vmid", 101)
                .param("unprivileged", true)
                .param("start", false)
                .param(
                    "ssh-public-keys",
                    vec!["ssh-ed25519 AAAA a@b".to_owned(), "ssh-rsa BBBB".to_owned()],
                )
                .param("net0", "name=eth0,bridge=vmbr0,ip=dhcp")
                .param("ostemplate", "local:vztmpl/debian-12.tar.zst"),
        )
        .await
        .unwrap();
    client
        .send::<()>(
            ApiRequest::delete([
                "nodes",
                "pve1",
                "storage",
                "local",
                "content",
                "local:vztmpl/debian 12 é.tar.zst",
            ])
            .param("delay", 5)
            .param("force", true),
        )
        .await
        .unwrap();
    create.assert_async().await;
    odd.assert_async().await;
}

#[tokio::test]
async fn bad_paths_are_refused_before_sending() {
    let server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let client = builder(&server, &clock)
        .credentials(Credentials::api_token("root@pam!t", "s"))
        .build()
        .unwrap();
    for segments in [vec!["nodes", "", "status"], vec!["nodes", "..", "x"]] {
        let err = client
            .send::<serde_json::Value>(ApiRequest::get(segments))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
        assert!(!err.was_sent());
    }
}

//! VNC end to end: a typed proxy ticket and the console URL.

use crate::common;

use common::{created_container, finish, start};
use secrecy::ExposeSecret;

#[tokio::test]
async fn vnc_proxy_is_typed_and_secret() {
    let env = start(1).await;
    let client = &env.client;
    let vmid = created_container(client, "pve1", "console").await;
    let ct = client.node("pve1").container(vmid);
    finish(ct.start().await.unwrap()).await.unwrap();

    let proxy = ct.vnc_proxy().await.unwrap();
    assert!((5900..6000).contains(&proxy.port), "{}", proxy.port);
    assert!(proxy.ticket.expose_secret().starts_with("PVEVNC:"));
    assert!(proxy.upid.contains(":vncproxy:"));
    assert!(proxy.password.is_some(), "websocket=1 gives a password");
    let debug = format!("{proxy:?}");
    assert!(!debug.contains(proxy.ticket.expose_secret()));

    let url = client.console_url("pve1", vmid, "console");
    let base = env.sim.url().trim_end_matches('/').to_owned();
    assert_eq!(
        url,
        format!(
            "{base}/?console=lxc&novnc=1&vmid={}&vmname=console&node=pve1&resize=off",
            vmid
        )
    );
}

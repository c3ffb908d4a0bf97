//! Exact requests of the domain operations against a scripted server (mockito): the create form
//! body, vmid retry after a lost race, the owner's ACL, and stop-before-destroy.

use std::sync::Arc;

use mockito::{Matcher, Server, ServerGuard};
use proxmox_api_core::api::ContainerSpec;
use proxmox_api_core::{Client, Credentials, ManualClock};

const CREATE_UPID: &str = "UPID:pve1:0000ABCD:0012345F:6553F00D:vzcreate:101:root@pam:";

fn client(server: &ServerGuard) -> Client {
    Client::builder(server.url())
        .credentials(Credentials::api_token("root@pam!ci", "token-secret"))
        .allow_insecure_http(true)
        .clock(Arc::new(ManualClock::at_unix(1_700_000_000)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn create_sends_the_exact_form_and_retries_a_taken_vmid() {
    let mut server = Server::new_async().await;
    let nextid_100 = server
        .mock("GET", "/api2/json/cluster/nextid")
        .with_body(r#"{"data":"100"}"#)
        .expect(1)
        .create_async()
        .await;
    let nextid_101 = server
        .mock("GET", "/api2/json/cluster/nextid")
        .with_body(r#"{"data":"101"}"#)
        .expect(1)
        .create_async()
        .await;
    let lost_race = server
        .mock("POST", "/api2/json/nodes/pve1/lxc")
        .match_body(Matcher::Regex("^vmid=100&".into()))
        .with_status(500)
        .with_body(r#"{"data":null,"message":"CT 100 already exists on node 'pve2'\n"}"#)
        .expect(1)
        .create_async()
        .await;
    let created = server
        .mock("POST", "/api2/json/nodes/pve1/lxc")
        // The exact form, then this call's marker tag (random, for reconciliation).
        .match_body(Matcher::Regex(
            "^vmid=101\
             &ostemplate=local%3Avztmpl%2Fdebian-12-standard_12\\.7-1_amd64\\.tar\\.zst\
             &hostname=web-1&cores=2&memory=1024&swap=256&rootfs=local-lvm%3A10\
             &net0=name%3Deth0%2Cbridge%3Dvmbr0%2Cip%3Ddhcp&unprivileged=1&ostype=debian\
             &password=root-pass&ssh-public-keys=ssh-ed25519%20AAAAC3Nza%20a%40b%0Assh-rsa%20AAAAB3%20c%40d\
             &tags=pxa-op-[0-9a-f]{16}$"
                .into(),
        ))
        .with_body(format!(r#"{{"data":"{CREATE_UPID}"}}"#))
        .expect(1)
        .create_async()
        .await;
    let acl = server
        .mock("PUT", "/api2/json/access/acl")
        .match_body(Matcher::Exact(
            "path=%2Fvms%2F101&roles=PVEVMUser&users=alice%40pve".into(),
        ))
        .with_body(r#"{"data":null}"#)
        .expect(1)
        .create_async()
        .await;

    let spec = ContainerSpec::builder()
        .hostname("web-1")
        .template("local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst")
        .node("pve1")
        .cores(2)
        .memory_mib(1024)
        .swap_mib(256)
        .disk_gib(10)
        .ostype("debian")
        .password("root-pass")
        .ssh_public_key("ssh-ed25519 AAAAC3Nza a@b")
        .ssh_public_key("ssh-rsa AAAAB3 c@d")
        .owner("alice@pve")
        .build()
        .unwrap();
    let result = client(&server)
        .containers()
        .create(spec)
        .send()
        .await
        .unwrap();
    assert_eq!(result.vmid, 101);
    assert_eq!(result.node, "pve1");
    assert_eq!(result.task.upid().to_string(), CREATE_UPID);
    for mock in [nextid_100, nextid_101, lost_race, created, acl] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_given_vmid_that_is_taken_is_not_retried() {
    let mut server = Server::new_async().await;
    let post = server
        .mock("POST", "/api2/json/nodes/pve1/lxc")
        .with_status(500)
        .with_body(r#"{"data":null,"message":"CT 300 already exists on node 'pve1'\n"}"#)
        .expect(1)
        .create_async()
        .await;
    let spec = ContainerSpec::builder()
        .hostname("a")
        .template("local:vztmpl/a.tar.zst")
        .password("root-pass")
        .node("pve1")
        .vmid(300)
        .build()
        .unwrap();
    let err = client(&server)
        .containers()
        .create(spec)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "CONFLICT", "{err}");
    post.assert_async().await;
}

#[tokio::test]
async fn delete_stops_a_running_container_then_destroys_with_purge() {
    let mut server = Server::new_async().await;
    let stop_upid = "UPID:pve1:0000ABCE:0012345F:6553F00E:vzstop:100:root@pam:";
    let destroy_upid = "UPID:pve1:0000ABCF:0012345F:6553F00F:vzdestroy:100:root@pam:";
    server
        .mock("GET", "/api2/json/nodes/pve1/lxc/100/status/current")
        .with_body(r#"{"data":{"vmid":100,"status":"running","pid":4242,"name":"a","cpus":1,"maxmem":536870912,"mem":1024,"uptime":50,"ha":{"managed":0}}}"#)
        .create_async()
        .await;
    let stop = server
        .mock("POST", "/api2/json/nodes/pve1/lxc/100/status/stop")
        .with_body(format!(r#"{{"data":"{stop_upid}"}}"#))
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", Matcher::Regex(r"/tasks/UPID[^/]+vzstop[^/]+/status$".into()))
        .with_body(format!(
            r#"{{"data":{{"upid":"{stop_upid}","node":"pve1","pid":43982,"pstart":1193055,"starttime":1700000014,"type":"vzstop","id":"100","user":"root@pam","status":"stopped","exitstatus":"OK"}}}}"#
        ))
        .create_async()
        .await;
    server
        .mock(
            "GET",
            Matcher::Regex(r"/tasks/UPID[^/]+vzstop[^/]+/log$".into()),
        )
        .match_query(Matcher::Any)
        .with_body(r#"{"data":[{"n":1,"t":"TASK OK"}]}"#)
        .create_async()
        .await;
    let destroy = server
        .mock("DELETE", "/api2/json/nodes/pve1/lxc/100")
        .match_query(Matcher::Exact(
            "purge=1&destroy-unreferenced-disks=1".into(),
        ))
        .with_body(format!(r#"{{"data":"{destroy_upid}"}}"#))
        .expect(1)
        .create_async()
        .await;

    let task = client(&server)
        .node("pve1")
        .container(100)
        .delete()
        .await
        .unwrap();
    assert_eq!(task.upid().task_type, "vzdestroy");
    stop.assert_async().await;
    destroy.assert_async().await;
}

//! `Upid` parsing and display against UPIDs recorded from real servers.

use proxmox_api_core::upid::{Upid, UpidParseError};

/// UPIDs as real PVE servers sent them (see `tests/fixtures/pve`), plus the documented edge cases.
const REAL: &[&str] = &[
    // nodes__node__tasks.pve7.1.json: empty id, 8-digit pstart.
    "UPID:example-node:000CFC5C:03E8D0C3:6194806C:aptupdate::root@pam:",
    "UPID:example-node:000CF1B2:03E836E2:61947EE2:vncshell::root@pam:",
    "UPID:example-node:000CFFFA:03E8EF53:619480BA:vzdump:103:root@pam:",
    // nodes__node__tasks__upid__status.failed.json
    "UPID:node1:000FF1FD:10F9374C:630D702C:vzdump:110:root@pam:",
    // 9-digit pstart (hosts up for more than ~497 days at 100 Hz).
    "UPID:pve1:0031F2C8:1A2B3C4D5:6553F00D:vzcreate:100:root@pam:",
    // API token as the user.
    "UPID:pve2:00001234:00005678:5A3B7C8D:vzstart:101:automation@pve!ci:",
];

#[test]
fn real_upids_round_trip_byte_for_byte() {
    for text in REAL {
        let upid: Upid = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(upid.to_string(), *text);
    }
}

#[test]
fn fields_are_decoded() {
    let upid: Upid = "UPID:example-node:000CFC5C:03E8D0C3:6194806C:aptupdate::root@pam:"
        .parse()
        .unwrap();
    assert_eq!(upid.node, "example-node");
    assert_eq!(upid.pid, 851_036); // the task list's "pid" for this UPID
    assert_eq!(upid.pstart, 65_589_443); // its "pstart"
    assert_eq!(upid.starttime, 1_637_122_156); // its "starttime"
    assert_eq!(upid.task_type, "aptupdate");
    assert_eq!(upid.id, "");
    assert_eq!(upid.vmid(), None);
    assert_eq!(upid.user, "root@pam");

    let nine: Upid = REAL[4].parse().unwrap();
    assert_eq!(nine.pstart, 0x1A2B3C4D5);
    assert_eq!(nine.vmid(), Some(100));
    let token: Upid = REAL[5].parse().unwrap();
    assert_eq!(token.user, "automation@pve!ci");
}

#[test]
fn display_pads_to_pve_widths() {
    let upid = Upid {
        node: "pve1".into(),
        pid: 0x12,
        pstart: 0x34,
        starttime: 0x5A3B7C8D,
        task_type: "vzdestroy".into(),
        id: "100".into(),
        user: "root@pam".into(),
    };
    let text = upid.to_string();
    assert_eq!(
        text,
        "UPID:pve1:00000012:00000034:5A3B7C8D:vzdestroy:100:root@pam:"
    );
    assert_eq!(text.parse::<Upid>().unwrap(), upid);
}

#[test]
fn serde_uses_the_string_form() {
    let upid: Upid = serde_json::from_str(&format!("\"{}\"", REAL[3])).unwrap();
    assert_eq!(upid.id, "110");
    assert_eq!(
        serde_json::to_string(&upid).unwrap(),
        format!("\"{}\"", REAL[3])
    );
    let err = serde_json::from_str::<Upid>("\"UPID:x\"").unwrap_err();
    assert!(err.to_string().contains("invalid UPID"), "{err}");
    assert!(serde_json::from_str::<Upid>("42").is_err());
}

fn reason(text: &str) -> String {
    let err: UpidParseError = text.parse::<Upid>().unwrap_err();
    assert_eq!(err.input, text);
    err.reason
}

#[test]
fn malformed_upids_are_typed_errors_not_panics() {
    assert!(reason("").contains("UPID:"));
    assert!(reason("UPID:node1:000FF1FD:10F9374C:630D702C:vzdump:110:root@pam").contains("end"));
    assert!(reason("UPID:node1:000FF1FD:10F9374C:630D702C:vzdump:root@pam:").contains("7"));
    assert!(reason("UPID:node1:000FF1FD:10F9374C:630D702C:vzdump:1:10:root@pam:").contains("7"));
    assert!(reason("UPID:node1:FF1FD:10F9374C:630D702C:vzdump:110:root@pam:").contains("pid"));
    assert!(reason("UPID:node1:000ff1fd:10F9374C:630D702C:vzdump:110:root@pam:").contains("pid"));
    assert!(
        reason("UPID:node1:000FF1FD:10F9374CAB:630D702C:vzdump:110:root@pam:").contains("pstart")
    );
    assert!(
        reason("UPID:node1:000FF1FD:010F9374C:630D702C:vzdump:110:root@pam:")
            .contains("leading zero")
    );
    assert!(reason("UPID:node1:000FF1FD:10F9374C:XYZ:vzdump:110:root@pam:").contains("starttime"));
    assert!(reason("UPID:-node:000FF1FD:10F9374C:630D702C:vzdump:110:root@pam:").contains("node"));
    assert!(reason("UPID:node1:000FF1FD:10F9374C:630D702C::110:root@pam:").contains("type"));
    assert!(reason("UPID:node1:000FF1FD:10F9374C:630D702C:vzdump:1 0:root@pam:").contains("id"));
    assert!(reason("UPID:node1:000FF1FD:10F9374C:630D702C:vzdump:110::").contains("user"));
    // Multi-byte input must not make slicing panic.
    assert!(!reason("UPID:nöde:000FF1FD:10F9374C:630D702C:vzdump:110:root@pam:").is_empty());
    // PVE's own pattern allows any non-space user characters: those round-trip too.
    let text = "UPID:node1:000FF1FD:10F9374C:630D702C:vzdump:110:röot@pam:";
    assert_eq!(text.parse::<Upid>().unwrap().to_string(), text);
}

//! `GET .../interfaces`: the network interfaces a running container reports (`lo` and one per
//! `netN`, with its MAC address and, for static or DHCP configurations, an address).

use serde_json::{json, Value};

use super::containers::locate;
use super::deterministic::hash;
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

fn prop<'a>(spec: &'a str, key: &str) -> Option<&'a str> {
    spec.split(',')
        .find_map(|p| p.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

/// `GET /nodes/{node}/lxc/{vmid}/interfaces`.
pub(crate) fn interfaces(state: &mut SimState, call: &Call) -> Reply {
    let (_, vmid) = locate(state, call)?;
    let ct = &state.cluster.containers[&vmid];
    if !ct.is_running() {
        return Err(ApiError::internal(format!("CT {vmid} not running")));
    }
    let mut out = vec![json!({
        "name": "lo",
        "hwaddr": "00:00:00:00:00:00",
        "hardware-address": "00:00:00:00:00:00",
        "inet": "127.0.0.1/8",
        "inet6": "::1/128",
        "ip-addresses": [
            { "ip-address": "127.0.0.1", "ip-address-type": "inet", "prefix": 8 },
            { "ip-address": "::1", "ip-address-type": "inet6", "prefix": 128 },
        ],
    })];
    for (n, spec) in &ct.nets {
        let name = prop(spec, "name").unwrap_or("eth0");
        let mac = prop(spec, "hwaddr")
            .unwrap_or("BC:24:11:00:00:00")
            .to_lowercase();
        let inet = match prop(spec, "ip") {
            Some("dhcp") | None => {
                let h = hash(&[u64::from(vmid), u64::from(*n), 0x0044_4843]);
                format!("192.168.{}.{}/24", 100 + (h % 50), 2 + (h >> 8) % 250)
            }
            Some("manual") => String::new(),
            Some(ip) => ip.to_owned(),
        };
        let mut addresses = Vec::new();
        let mut entry = serde_json::Map::new();
        entry.insert("name".into(), name.into());
        entry.insert("hwaddr".into(), mac.clone().into());
        entry.insert("hardware-address".into(), mac.into());
        if let Some((addr, prefix)) = inet.split_once('/') {
            entry.insert("inet".into(), inet.clone().into());
            addresses.push(json!({
                "ip-address": addr,
                "ip-address-type": "inet",
                "prefix": prefix.parse::<u32>().unwrap_or(24),
            }));
        }
        entry.insert("ip-addresses".into(), Value::Array(addresses));
        out.push(Value::Object(entry));
    }
    Ok(Value::Array(out))
}

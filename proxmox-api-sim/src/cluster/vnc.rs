//! VNC consoles: `vncproxy` hands out a port, a `PVEVNC:` ticket, the node certificate and a
//! `vncproxy` task; the websocket (served by the server module) checks the ticket through
//! [`super::ClusterState::vnc_ticket_valid`].

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use super::containers::{durations, planned_failure};
use super::deterministic::hash;
use super::errors;
use super::tasks::{task_user, TaskEffect, TaskSpec};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// PVE accepts a VNC ticket from 20 s before to 40 s after its timestamp.
const TICKET_MIN_AGE: i64 = -20;
const TICKET_MAX_AGE: i64 = 40;
const FIRST_PORT: u16 = 5900;
const LAST_PORT: u16 = 5999;

#[derive(Debug, Clone)]
struct IssuedTicket {
    node: String,
    vmid: u32,
    port: u16,
    issued: i64,
}

/// Issued VNC tickets and the ports they hold.
#[derive(Debug)]
pub(crate) struct VncSessions {
    key: [u8; 32],
    tickets: HashMap<String, IssuedTicket>,
    /// Port -> unix time until which it is taken (per node).
    ports: BTreeMap<(String, u16), i64>,
    counter: u64,
}

impl VncSessions {
    pub(crate) fn new(seed: u64) -> Self {
        let mut key = [0u8; 32];
        for (i, chunk) in key.chunks_mut(8).enumerate() {
            chunk.copy_from_slice(&hash(&[seed, 0x0056_4E43, i as u64]).to_le_bytes());
        }
        Self {
            key,
            tickets: HashMap::new(),
            ports: BTreeMap::new(),
            counter: 0,
        }
    }

    pub(crate) fn ticket_valid(
        &self,
        node: &str,
        vmid: u32,
        port: u16,
        ticket: &str,
        now: i64,
    ) -> bool {
        self.tickets.get(ticket).is_some_and(|t| {
            let age = now - t.issued;
            t.node == node
                && t.vmid == vmid
                && t.port == port
                && (TICKET_MIN_AGE..=TICKET_MAX_AGE).contains(&age)
        })
    }

    pub(crate) fn forget_container(&mut self, vmid: u32) {
        self.tickets.retain(|_, t| t.vmid != vmid);
    }

    fn prune(&mut self, now: i64) {
        self.tickets.retain(|_, t| now - t.issued <= TICKET_MAX_AGE);
        self.ports.retain(|_, until| *until > now);
    }

    fn free_port(&self, node: &str) -> Option<u16> {
        (FIRST_PORT..=LAST_PORT).find(|p| !self.ports.contains_key(&(node.to_owned(), *p)))
    }

    fn issue(
        &mut self,
        node: &str,
        vmid: u32,
        port: u16,
        auth_id: &str,
        now: i64,
        hold_until: i64,
    ) -> String {
        let payload = format!("PVEVNC:{now:08X}::{auth_id}/vms/{vmid}{port}");
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(payload.as_bytes());
        let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let ticket = format!("PVEVNC:{now:08X}::{sig}");
        self.tickets.insert(
            ticket.clone(),
            IssuedTicket {
                node: node.to_owned(),
                vmid,
                port,
                issued: now,
            },
        );
        self.ports.insert((node.to_owned(), port), hold_until);
        ticket
    }

    /// A VNC password of printable ASCII (`!`..`~`), as PVE generates for websocket consoles.
    fn password(&mut self, seed: u64) -> String {
        self.counter += 1;
        (0..8u64)
            .map(|i| char::from(b'!' + (hash(&[seed, self.counter, i]) % 94) as u8))
            .collect()
    }
}

fn certificate_pem(state: &mut SimState) -> Result<String, ApiError> {
    if let Some(pem) = &state.cluster.certificate_pem {
        return Ok(pem.clone());
    }
    let names = state.cluster.node_names();
    let generated = rcgen::generate_simple_self_signed(names)
        .map_err(|e| ApiError::internal(format!("internal error: {e}")))?;
    let pem = generated.cert.pem();
    state.cluster.certificate_pem = Some(pem.clone());
    Ok(pem)
}

/// `POST /nodes/{node}/lxc/{vmid}/vncproxy` (`websocket=1` adds `password`).
pub(crate) fn vncproxy(state: &mut SimState, call: &Call) -> Reply {
    let idx = state.cluster.require_node(call)?;
    let node = state.cluster.nodes[idx].name.clone();
    let vmid = call
        .int("vmid")
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| ApiError::param("vmid", "property is missing and it is not optional"))?;
    if state
        .cluster
        .containers
        .get(&vmid)
        .is_none_or(|ct| ct.node != node)
    {
        return Err(errors::no_such_container(&node, vmid));
    }
    proxy(state, call, idx, vmid)
}

/// `POST /nodes/{node}/qemu/{vmid}/vncproxy`: the same answer for a VM (its VNC server is
/// QEMU's own; the ticket and task are identical).
pub(crate) fn vm_vncproxy(state: &mut SimState, call: &Call) -> Reply {
    let (idx, vmid) = super::qemu::locate(state, call)?;
    proxy(state, call, idx, vmid)
}

/// A VNC ticket on a free port of the node and its `vncproxy` task.
fn proxy(state: &mut SimState, call: &Call, idx: usize, vmid: u32) -> Reply {
    let node = state.cluster.nodes[idx].name.clone();
    let cert = certificate_pem(state)?;
    let now = state.cluster.now as i64;
    let duration = durations::VNCPROXY * state.faults.task_duration_scale;
    let vnc = &mut state.cluster.vnc;
    vnc.prune(now);
    let port = vnc
        .free_port(&node)
        .ok_or_else(|| ApiError::internal("unable to find free port (5900-5999)"))?;
    let user = task_user(call);
    let hold_until = now + TICKET_MAX_AGE.max(duration.ceil() as i64);
    let ticket = vnc.issue(&node, vmid, port, &user, now, hold_until);
    let websocket = call.bool("websocket").unwrap_or(false);
    let seed = state.cluster.seed;
    let password = websocket.then(|| state.cluster.vnc.password(seed));
    let planned = planned_failure(state, "vncproxy");
    let upid = state.cluster.spawn_task(TaskSpec {
        node: idx,
        kind: "vncproxy",
        id: vmid.to_string(),
        user: user.clone(),
        duration,
        effect: TaskEffect::None,
        planned_exit: planned,
        log: Vec::new(),
        start: None,
    });
    let mut m = Map::new();
    m.insert("user".into(), user.into());
    m.insert("ticket".into(), ticket.into());
    m.insert("port".into(), port.to_string().into());
    m.insert("upid".into(), upid.into());
    m.insert("cert".into(), cert.into());
    if let Some(pw) = password {
        m.insert("password".into(), pw.into());
    }
    Ok(Value::Object(m))
}

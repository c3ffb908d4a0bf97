//! Consoles: `POST /nodes/{node}/lxc/{vmid}/vncproxy`.

use std::fmt;

use secrecy::SecretString;
use serde::Deserialize;

use crate::loose;

/// A VNC proxy opened for a guest. The ticket lives only about 20-40 s.
///
/// Holds secrets, so it is deliberately not `Serialize` and its `Debug` redacts them.
#[derive(Clone, Deserialize)]
pub struct VncProxy {
    /// User the proxy was opened for.
    pub user: String,
    /// `PVEVNC:...` ticket, the `vncticket` of the websocket call.
    #[serde(deserialize_with = "loose::deserialize_secret")]
    pub ticket: SecretString,
    /// PEM certificate of the node's proxy.
    #[serde(default)]
    pub cert: String,
    /// Port of the proxy (PVE sends a string, `"5900"`).
    #[serde(deserialize_with = "loose::deserialize_u16")]
    pub port: u16,
    /// UPID of the proxy task.
    pub upid: String,
    /// One-time VNC password, sent with `websocket=1`.
    #[serde(default, deserialize_with = "loose::deserialize_opt_secret")]
    pub password: Option<SecretString>,
}

impl fmt::Debug for VncProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VncProxy")
            .field("user", &self.user)
            .field("ticket", &"<redacted>")
            .field("cert", &format_args!("<{} bytes>", self.cert.len()))
            .field("port", &self.port)
            .field("upid", &self.upid)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn decodes_string_port_and_redacts() {
        let v: VncProxy = serde_json::from_str(
            r#"{"user":"root@pam","ticket":"PVEVNC:5A3B7C8D::CANARY","cert":"-----BEGIN","port":"5901","upid":"UPID:x","password":"CANARYPW"}"#,
        )
        .unwrap();
        assert_eq!(v.port, 5901);
        assert_eq!(v.password.as_ref().unwrap().expose_secret(), "CANARYPW");
        let debug = format!("{v:?}");
        assert!(!debug.contains("CANARY"), "{debug}");
        assert!(debug.contains("5901"), "{debug}");
        assert!(serde_json::from_str::<VncProxy>(
            r#"{"user":"u","ticket":"t","port":"70000","upid":"x"}"#
        )
        .is_err());
    }
}

//! Access control: tickets (`POST /access/ticket`), users, ACLs and API tokens.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::SecretString;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::loose;

/// `POST /access/ticket`: a login or renewal reply.
///
/// Holds secrets, so it is deliberately not `Serialize` and its `Debug` redacts them.
#[derive(Clone, Deserialize)]
pub struct TicketData {
    /// `PVE:<user>:<hex time>::<signature>`, sent as cookie `PVEAuthCookie`. With `need_tfa` it is
    /// the half-ticket (`PVE:!tfa!...`) to send back as `tfa-challenge`.
    #[serde(deserialize_with = "loose::deserialize_secret")]
    pub ticket: SecretString,
    /// The header value for `CSRFPreventionToken` on writes.
    #[serde(
        default,
        rename = "CSRFPreventionToken",
        deserialize_with = "loose::deserialize_opt_secret"
    )]
    pub csrf_prevention_token: Option<SecretString>,
    /// The user the ticket is for, as the server normalised it.
    #[serde(default)]
    pub username: Option<String>,
    /// Privileges per top-level path (`vms`, `nodes`, ...); absent on TFA half-logins.
    #[serde(default)]
    pub cap: Option<serde_json::Value>,
    /// The cluster's name, when clustered.
    #[serde(default)]
    pub clustername: Option<String>,
    /// `NeedTFA`: a second factor must be supplied before the ticket is usable (see
    /// [`TicketData::needs_tfa`], which also recognises the `!tfa!` half-ticket).
    #[serde(
        default,
        rename = "NeedTFA",
        deserialize_with = "loose::deserialize_bool"
    )]
    pub need_tfa: bool,
}

impl TicketData {
    /// `true` when the server asked for a second factor: `NeedTFA: 1`, or a `!tfa!` half-ticket.
    pub fn needs_tfa(&self) -> bool {
        use secrecy::ExposeSecret;
        self.need_tfa || self.ticket.expose_secret().contains("!tfa!")
    }
}

impl fmt::Debug for TicketData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TicketData")
            .field("ticket", &"<redacted>")
            .field(
                "csrf_prevention_token",
                &self.csrf_prevention_token.as_ref().map(|_| "<redacted>"),
            )
            .field("username", &self.username)
            .field("cap", &self.cap.as_ref().map(|_| ".."))
            .field("clustername", &self.clustername)
            .field("need_tfa", &self.need_tfa)
            .finish()
    }
}

/// An API token's metadata (never its secret).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    /// Token name (the part after `!`). Filled from the map key where PVE sends a map.
    #[serde(default)]
    pub tokenid: String,
    /// Free-text comment.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub comment: Option<String>,
    /// Expiry as Unix seconds; `0` or absent means never.
    #[serde(default, deserialize_with = "loose::deserialize_opt_i64")]
    pub expire: Option<i64>,
    /// Privilege separation: the token has only the ACLs granted to the token itself.
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub privsep: Option<bool>,
}

/// `POST /access/users/{userid}/token/{tokenid}`: a new token, with its secret shown only once.
#[derive(Clone, Deserialize)]
pub struct CreatedApiToken {
    /// `user@realm!tokenid`.
    #[serde(rename = "full-tokenid")]
    pub full_tokenid: String,
    /// The token's metadata.
    #[serde(default)]
    pub info: ApiTokenInfo,
    /// The secret: the server never shows it again.
    #[serde(deserialize_with = "loose::deserialize_secret")]
    pub value: SecretString,
}

impl fmt::Debug for CreatedApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedApiToken")
            .field("full_tokenid", &self.full_tokenid)
            .field("info", &self.info)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// Tokens arrive as a list (`GET /access/users?full=1`) or as a map name -> info
/// (`GET /access/users/{userid}`); both become a list sorted as sent.
fn deserialize_tokens<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<ApiTokenInfo>, D::Error> {
    struct TokensVisitor;

    impl<'de> Visitor<'de> for TokensVisitor {
        type Value = Vec<ApiTokenInfo>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of tokens or a map of token name to token")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(token) = seq.next_element::<ApiTokenInfo>()? {
                out.push(token);
            }
            Ok(out)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((name, mut token)) = map.next_entry::<String, ApiTokenInfo>()? {
                if token.tokenid.is_empty() {
                    token.tokenid = name;
                }
                out.push(token);
            }
            Ok(out)
        }
    }

    deserializer.deserialize_any(TokensVisitor)
}

/// One entry of `GET /access/users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserEntry {
    /// `name@realm`.
    pub userid: String,
    /// Whether the account may log in (absent means enabled).
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub enable: Option<bool>,
    /// Account expiry as Unix seconds; `0` means never.
    #[serde(default, deserialize_with = "loose::deserialize_opt_i64")]
    pub expire: Option<i64>,
    /// First name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub firstname: Option<String>,
    /// Last name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub lastname: Option<String>,
    /// E-mail address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub email: Option<String>,
    /// Free-text comment.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub comment: Option<String>,
    /// Groups the user belongs to (PVE sends a comma-separated string here).
    #[serde(default, deserialize_with = "loose::deserialize_comma_list")]
    pub groups: Vec<String>,
    /// API tokens (with `full=1`).
    #[serde(default, deserialize_with = "deserialize_tokens")]
    pub tokens: Vec<ApiTokenInfo>,
    /// Realm type, e.g. `pam` or `pve`.
    #[serde(
        default,
        rename = "realm-type",
        skip_serializing_if = "Option::is_none"
    )]
    pub realm_type: Option<String>,
    /// Legacy second-factor keys.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub keys: Option<String>,
    /// TFA lock-out end as Unix seconds, when locked.
    #[serde(
        default,
        rename = "tfa-locked-until",
        deserialize_with = "loose::deserialize_opt_i64"
    )]
    pub tfa_locked_until: Option<i64>,
    /// TOTP locked after too many failures.
    #[serde(
        default,
        rename = "totp-locked",
        deserialize_with = "loose::deserialize_opt_bool"
    )]
    pub totp_locked: Option<bool>,
}

impl UserEntry {
    /// `true` unless the account is disabled (an absent `enable` means enabled).
    pub fn is_enabled(&self) -> bool {
        self.enable.unwrap_or(true)
    }

    /// The realm part of the userid (`pve` for `alice@pve`).
    pub fn realm(&self) -> Option<&str> {
        self.userid.rsplit_once('@').map(|(_, realm)| realm)
    }
}

/// `GET /access/users/{userid}`: one user (the reply does not repeat the userid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserDetail {
    /// Whether the account may log in (absent means enabled).
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub enable: Option<bool>,
    /// Account expiry as Unix seconds; `0` means never.
    #[serde(default, deserialize_with = "loose::deserialize_opt_i64")]
    pub expire: Option<i64>,
    /// First name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub firstname: Option<String>,
    /// Last name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub lastname: Option<String>,
    /// E-mail address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub email: Option<String>,
    /// Free-text comment.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub comment: Option<String>,
    /// Groups the user belongs to (a list here).
    #[serde(default, deserialize_with = "loose::deserialize_comma_list")]
    pub groups: Vec<String>,
    /// API tokens (PVE sends a map name -> info here).
    #[serde(default, deserialize_with = "deserialize_tokens")]
    pub tokens: Vec<ApiTokenInfo>,
    /// Legacy second-factor keys.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "loose::deserialize_opt_nonempty_string"
    )]
    pub keys: Option<String>,
    /// Fields this client does not model, kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl UserDetail {
    /// `true` unless the account is disabled.
    pub fn is_enabled(&self) -> bool {
        self.enable.unwrap_or(true)
    }
}

/// Who an ACL entry grants to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AclSubject {
    /// A user (`ugid` is `name@realm`).
    User,
    /// A group (`ugid` is the group name).
    Group,
    /// An API token (`ugid` is `name@realm!token`).
    Token,
}

impl AclSubject {
    /// The wire spelling: `user`, `group` or `token`.
    pub fn as_str(self) -> &'static str {
        match self {
            AclSubject::User => "user",
            AclSubject::Group => "group",
            AclSubject::Token => "token",
        }
    }
}

/// One entry of `GET /access/acl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclEntry {
    /// ACL path, e.g. `/vms/100`.
    pub path: String,
    /// Role granted, e.g. `PVEVMUser`.
    pub roleid: String,
    /// Whether `ugid` names a user, a group or a token.
    #[serde(rename = "type")]
    pub kind: AclSubject,
    /// The user, group or token id.
    pub ugid: String,
    /// Whether the grant applies below `path` too; absent means yes (PVE's default). See
    /// [`AclEntry::propagates`].
    #[serde(default, deserialize_with = "loose::deserialize_opt_bool")]
    pub propagate: Option<bool>,
}

impl AclEntry {
    /// Whether the grant applies below `path` too (an absent flag means yes).
    pub fn propagates(&self) -> bool {
        self.propagate.unwrap_or(true)
    }

    /// `true` when the entry grants to a user.
    pub fn is_user(&self) -> bool {
        self.kind == AclSubject::User
    }

    /// `true` when the entry grants to a group.
    pub fn is_group(&self) -> bool {
        self.kind == AclSubject::Group
    }

    /// `true` when the entry grants to an API token.
    pub fn is_token(&self) -> bool {
        self.kind == AclSubject::Token
    }

    /// The vmid when the path is `/vms/<id>`.
    pub fn vmid(&self) -> Option<u32> {
        self.path.strip_prefix("/vms/")?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn ticket_debug_redacts_secrets() {
        let t: TicketData = serde_json::from_str(
            r#"{"ticket":"PVE:root@pam:64E10CBA::CANARYSIG","CSRFPreventionToken":"64E10CBA:CANARYCSRF","username":"root@pam"}"#,
        )
        .unwrap();
        assert_eq!(t.ticket.expose_secret(), "PVE:root@pam:64E10CBA::CANARYSIG");
        let debug = format!("{t:?}");
        assert!(!debug.contains("CANARY"), "{debug}");
        assert!(debug.contains("root@pam"), "{debug}");
        assert!(!t.needs_tfa());
    }

    #[test]
    fn created_token_debug_redacts_value() {
        let t: CreatedApiToken = serde_json::from_str(
            r#"{"full-tokenid":"a@pve!ci","info":{"privsep":"1"},"value":"CANARY-0000"}"#,
        )
        .unwrap();
        assert_eq!(t.info.privsep, Some(true));
        assert!(!format!("{t:?}").contains("CANARY"));
    }

    #[test]
    fn tokens_as_list_or_map() {
        let u: UserEntry = serde_json::from_str(
            r#"{"userid":"a@pve","groups":"g1,g2","tokens":[{"tokenid":"ci","privsep":0}]}"#,
        )
        .unwrap();
        assert_eq!(u.groups, vec!["g1", "g2"]);
        assert_eq!(u.tokens[0].tokenid, "ci");
        assert_eq!(u.realm(), Some("pve"));
        assert!(u.is_enabled());
        let d: UserDetail =
            serde_json::from_str(r#"{"tokens":{"t1":{"expire":5}},"groups":["x"],"enable":0}"#)
                .unwrap();
        assert_eq!(d.tokens[0].tokenid, "t1");
        assert_eq!(d.tokens[0].expire, Some(5));
        assert!(!d.is_enabled());
    }

    #[test]
    fn acl_subject_and_vmid() {
        let a: AclEntry = serde_json::from_str(
            r#"{"path":"/vms/105","roleid":"PVEVMUser","type":"token","ugid":"a@pve!t"}"#,
        )
        .unwrap();
        assert_eq!(
            (a.kind, a.vmid(), a.propagate, a.propagates()),
            (AclSubject::Token, Some(105), None, true)
        );
        assert!(a.is_token() && !a.is_user() && !a.is_group());
    }
}

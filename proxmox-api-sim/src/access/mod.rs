//! Users, realms, tickets, API tokens, ACLs, TFA and permission checks.

mod authenticate;
pub mod crypto;
mod groups;
mod handlers;
mod password;
mod permissions;
pub mod realms;
pub mod roles;
mod tfa;
pub mod ticket;
pub mod totp;

use std::collections::{BTreeMap, BTreeSet};

pub use authenticate::AuthInput;
pub use permissions::check_method_permissions;

use crate::api_error::Reply;
use crate::call::{Call, Caller};
use crate::state::SimState;
use crypto::PasswordHash;
use roles::PrivSet;
use ticket::TicketKeys;

/// The superuser, who holds every privilege everywhere.
pub const ROOT: &str = "root@pam";

/// A user of realm `pam` or `pve`.
#[derive(Debug, Clone)]
pub struct User {
    /// `name@realm`.
    pub userid: String,
    /// Whether the account may log in.
    pub enable: bool,
    /// Expiry (unix seconds), 0 = never.
    pub expire: i64,
    /// First name.
    pub firstname: Option<String>,
    /// Last name.
    pub lastname: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Hashed password (never shown).
    pub password: Option<PasswordHash>,
    /// TOTP secret when the user has a second factor.
    pub totp: Option<TotpFactor>,
    /// API tokens by token name.
    pub tokens: BTreeMap<String, Token>,
}

/// A TOTP second factor (secret redacted from `Debug`).
#[derive(Clone)]
pub struct TotpFactor {
    /// The shared secret.
    pub secret: Vec<u8>,
    /// Unused recovery codes.
    pub recovery: Vec<String>,
    /// The entry id in `/access/tfa/{userid}` (`totp-<hex>`).
    pub id: String,
    /// The entry's description.
    pub description: String,
    /// When it was added (unix seconds).
    pub created: i64,
    /// A disabled factor is not asked for at login.
    pub enable: bool,
}

impl std::fmt::Debug for TotpFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpFactor(<redacted>)")
    }
}

/// An API token of a user.
#[derive(Debug, Clone)]
pub struct Token {
    /// Comment.
    pub comment: Option<String>,
    /// Expiry (unix seconds), 0 = never.
    pub expire: i64,
    /// Privilege separation: the token holds only what its own ACLs grant (and the user has).
    pub privsep: bool,
    /// Hash of the secret (the UUID shown once at creation).
    pub secret: PasswordHash,
}

/// Who an ACL entry is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclKind {
    /// A user (`user@realm`).
    User,
    /// An API token (`user@realm!name`).
    Token,
    /// A group (`ugid` is the group name; `@name` in PVE's ACL syntax).
    Group,
}

impl AclKind {
    /// The `type` field of `GET /access/acl`.
    pub fn as_str(self) -> &'static str {
        match self {
            AclKind::User => "user",
            AclKind::Token => "token",
            AclKind::Group => "group",
        }
    }
}

/// One ACL entry: a role for a user or token on a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclEntry {
    /// `/`, `/vms/100`, `/storage/local`, ...
    pub path: String,
    /// User or token id.
    pub ugid: String,
    /// User or token.
    pub kind: AclKind,
    /// Role name.
    pub role: String,
    /// Whether the role applies below `path` too.
    pub propagate: bool,
}

/// A group of users; ACL entries for the group apply to every member.
#[derive(Debug, Clone, Default)]
pub struct Group {
    /// Comment.
    pub comment: Option<String>,
    /// Member userids.
    pub members: BTreeSet<String>,
}

/// Access control state.
#[derive(Debug, Default)]
pub struct AccessState {
    /// Users by userid.
    pub users: BTreeMap<String, User>,
    /// Groups by group id (membership is kept here only; a user's `groups` are derived).
    pub groups: BTreeMap<String, Group>,
    /// ACL entries.
    pub acl: Vec<AclEntry>,
    /// The ticket and CSRF signing key.
    pub keys: TicketKeys,
    /// Authentication realms (`domains.cfg`).
    pub realms: Vec<(String, realms::Realm)>,
}

impl AccessState {
    /// `root@pam` with `root_password`, no other user.
    pub fn new(root_password: &str) -> Self {
        let mut state = Self {
            realms: realms::defaults(),
            ..Self::default()
        };
        state.users.insert(
            ROOT.to_owned(),
            User::new(ROOT, Some(PasswordHash::new(root_password))),
        );
        state
    }

    /// Whether `caller` holds `privilege` on `path` (ACL propagation applied). Root always does.
    pub fn can(&self, caller: &Caller, path: &str, privilege: &str) -> bool {
        self.privileges(caller, path).has(privilege)
    }

    /// Every privilege `caller` holds on `path`.
    pub fn privileges(&self, caller: &Caller, path: &str) -> PrivSet {
        let user_privs = if caller.userid == ROOT {
            PrivSet::ALL
        } else if self.users.get(&caller.userid).is_some_and(|u| u.enable) {
            self.acl_privileges(&caller.userid, AclKind::User, path)
        } else {
            PrivSet::NONE
        };
        let Some(token) = &caller.tokenid else {
            return user_privs;
        };
        let separated = self
            .users
            .get(&caller.userid)
            .and_then(|u| u.tokens.get(token))
            .map(|t| t.privsep)
            .unwrap_or(true);
        if !separated {
            return user_privs;
        }
        let full = format!("{}!{}", caller.userid, token);
        user_privs.intersect(self.acl_privileges(&full, AclKind::Token, path))
    }

    /// PVE's ACL walk (`PVE::AccessControl::roles`): from `/` down to `path`, the most specific
    /// level with entries wins; at one level the user's own entries override those of its
    /// groups; entries above the target count only when they propagate; `NoAccess` among the
    /// winning roles means nothing.
    fn acl_privileges(&self, ugid: &str, kind: AclKind, path: &str) -> PrivSet {
        let member_of: Vec<&str> = if kind == AclKind::User {
            self.groups_of(ugid).collect()
        } else {
            Vec::new()
        };
        let mut current = PrivSet::NONE;
        let target = normalize_path(path);
        for level in path_levels(target) {
            let applies =
                |e: &&AclEntry| e.path == level && (level.len() == target.len() || e.propagate);
            let own = self
                .acl
                .iter()
                .filter(applies)
                .filter(|e| e.kind == kind && e.ugid == ugid);
            if let Some(privs) = winning_roles(own) {
                current = privs;
                continue;
            }
            if member_of.is_empty() {
                continue;
            }
            let inherited = self
                .acl
                .iter()
                .filter(applies)
                .filter(|e| e.kind == AclKind::Group && member_of.contains(&e.ugid.as_str()));
            if let Some(privs) = winning_roles(inherited) {
                current = privs;
            }
        }
        current
    }

    /// The groups `userid` is a member of, by name.
    pub fn groups_of<'a>(&'a self, userid: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.groups
            .iter()
            .filter(move |(_, g)| g.members.contains(userid))
            .map(|(name, _)| name.as_str())
    }

    /// Every ticket and CSRF token issued so far stops working.
    pub fn expire_all_tickets(&mut self) {
        self.keys.rotate();
    }

    /// Adds (or replaces) a user of realm `pve` or `pam` with a password.
    pub fn add_user(&mut self, userid: &str, password: &str) {
        self.users.insert(
            userid.to_owned(),
            User::new(userid, Some(PasswordHash::new(password))),
        );
    }

    /// Gives `userid` a TOTP second factor; returns its secret in base32.
    pub fn enable_totp(&mut self, userid: &str, now: i64) -> Option<String> {
        let user = self.users.get_mut(userid)?;
        let secret = crypto::random_bytes::<20>().to_vec();
        let recovery = (0..4)
            .map(|_| crypto::hex(&crypto::random_bytes::<6>()))
            .collect();
        let encoded = totp::base32(&secret);
        user.totp = Some(TotpFactor {
            secret,
            recovery,
            id: format!("totp-{}", crypto::hex(&crypto::random_bytes::<4>())),
            description: "simulator".to_owned(),
            created: now,
            enable: true,
        });
        Some(encoded)
    }

    /// The recovery codes of `userid`'s second factor.
    pub fn recovery_codes(&self, userid: &str) -> Vec<String> {
        self.users
            .get(userid)
            .and_then(|u| u.totp.as_ref())
            .map(|t| t.recovery.clone())
            .unwrap_or_default()
    }

    /// Drops every ACL entry on exactly `path` (a purged container's `/vms/<vmid>`).
    pub fn remove_acl_path(&mut self, path: &str) {
        self.acl.retain(|e| e.path != path);
    }

    /// Grants `role` on `path` to a user (`user@realm`), token (`user@realm!name`) or group
    /// (`@name`).
    pub fn grant(&mut self, path: &str, ugid: &str, role: &str, propagate: bool) {
        let (kind, ugid) = if let Some(group) = ugid.strip_prefix('@') {
            (AclKind::Group, group)
        } else if ugid.contains('!') {
            (AclKind::Token, ugid)
        } else {
            (AclKind::User, ugid)
        };
        self.acl
            .retain(|e| !(e.path == path && e.ugid == ugid && e.kind == kind && e.role == role));
        self.acl.push(AclEntry {
            path: path.to_owned(),
            ugid: ugid.to_owned(),
            kind,
            role: role.to_owned(),
            propagate,
        });
    }
}

/// The privileges of the roles in `entries`, or `None` when there are none.
fn winning_roles<'a>(entries: impl Iterator<Item = &'a AclEntry>) -> Option<PrivSet> {
    let mut found = false;
    let mut privs = PrivSet::NONE;
    for entry in entries {
        if entry.role == "NoAccess" {
            return Some(PrivSet::NONE);
        }
        found = true;
        privs = privs.union(roles::role(&entry.role).unwrap_or(PrivSet::NONE));
    }
    found.then_some(privs)
}

impl User {
    /// An enabled user without names or tokens.
    pub fn new(userid: &str, password: Option<PasswordHash>) -> Self {
        Self {
            userid: userid.to_owned(),
            enable: true,
            expire: 0,
            firstname: None,
            lastname: None,
            email: None,
            comment: None,
            password,
            totp: None,
            tokens: BTreeMap::new(),
        }
    }

    /// `pam` or `pve`.
    pub fn realm(&self) -> &str {
        self.userid.rsplit_once('@').map(|(_, r)| r).unwrap_or("")
    }

    /// Whether the account may authenticate at `now`.
    pub fn active(&self, now: i64) -> bool {
        self.enable && (self.expire == 0 || self.expire > now)
    }
}

fn normalize_path(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/"
    } else {
        trimmed
    }
}

/// `/vms/100` -> `/`, `/vms`, `/vms/100`.
fn path_levels(path: &str) -> impl Iterator<Item = &str> {
    std::iter::once("/").chain(
        path.char_indices()
            .skip(1)
            .filter(|(_, c)| *c == '/')
            .map(move |(i, _)| &path[..i])
            .chain((path != "/").then_some(path)),
    )
}

/// Answers the `/access/...` methods (and `/version`) the simulator models; `None` otherwise.
pub fn dispatch(state: &mut SimState, call: &Call) -> Option<Reply> {
    handlers::dispatch(state, call)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> Caller {
        Caller {
            userid: id.to_owned(),
            tokenid: None,
        }
    }

    #[test]
    fn levels() {
        let v: Vec<_> = path_levels("/vms/100").collect();
        assert_eq!(v, ["/", "/vms", "/vms/100"]);
        let v: Vec<_> = path_levels("/").collect();
        assert_eq!(v, ["/"]);
    }

    #[test]
    fn acl_propagation_and_override() {
        let mut a = AccessState::new("pw");
        a.add_user("alice@pve", "password1");
        assert!(a.can(&user(ROOT), "/vms/100", "VM.Allocate"));
        assert!(!a.can(&user("alice@pve"), "/vms/100", "VM.Audit"));
        a.grant("/vms/100", "alice@pve", "PVEVMUser", true);
        assert!(a.can(&user("alice@pve"), "/vms/100", "VM.Console"));
        assert!(!a.can(&user("alice@pve"), "/vms/101", "VM.Audit"));
        assert!(!a.can(&user("alice@pve"), "/vms/100", "VM.Allocate"));
        a.grant("/", "alice@pve", "PVEAuditor", false);
        assert!(a.can(&user("alice@pve"), "/", "Sys.Audit"));
        assert!(
            !a.can(&user("alice@pve"), "/nodes/pve1", "Sys.Audit"),
            "not propagated"
        );
        a.grant("/vms", "alice@pve", "PVEAdmin", true);
        a.grant("/vms/102", "alice@pve", "NoAccess", true);
        assert!(a.can(&user("alice@pve"), "/vms/105", "VM.Allocate"));
        assert!(
            !a.can(&user("alice@pve"), "/vms/102", "VM.Audit"),
            "deeper NoAccess wins"
        );
    }

    #[test]
    fn group_entries_apply_to_members_and_user_entries_win() {
        let mut a = AccessState::new("pw");
        a.add_user("alice@pve", "password1");
        a.add_user("bob@pve", "password1");
        let mut admins = Group::default();
        admins.members.insert("alice@pve".to_owned());
        a.groups.insert("admins".to_owned(), admins);
        a.grant("/vms", "@admins", "PVEVMAdmin", true);
        assert!(a.can(&user("alice@pve"), "/vms/100", "VM.Allocate"));
        assert!(
            !a.can(&user("bob@pve"), "/vms/100", "VM.Audit"),
            "not a member"
        );
        a.grant("/vms", "alice@pve", "PVEAuditor", true);
        assert!(
            !a.can(&user("alice@pve"), "/vms/100", "VM.Allocate"),
            "the user's own entry overrides the group's at the same level"
        );
        a.grant("/vms/100", "@admins", "NoAccess", true);
        assert!(
            !a.can(&user("alice@pve"), "/vms/100", "VM.Audit"),
            "deeper level wins"
        );
    }

    #[test]
    fn token_privilege_separation() {
        let mut a = AccessState::new("pw");
        a.add_user("alice@pve", "password1");
        a.grant("/vms", "alice@pve", "PVEVMAdmin", true);
        let secret = crypto::PasswordHash::new("x");
        for (name, privsep) in [("sep", true), ("full", false)] {
            a.users.get_mut("alice@pve").unwrap().tokens.insert(
                name.to_owned(),
                Token {
                    comment: None,
                    expire: 0,
                    privsep,
                    secret: secret.clone(),
                },
            );
        }
        let token = |t: &str| Caller {
            userid: "alice@pve".into(),
            tokenid: Some(t.into()),
        };
        assert!(a.can(&token("full"), "/vms/100", "VM.Allocate"));
        assert!(!a.can(&token("sep"), "/vms/100", "VM.Audit"));
        a.grant("/vms/100", "alice@pve!sep", "PVEVMUser", true);
        assert!(a.can(&token("sep"), "/vms/100", "VM.Console"));
        assert!(!a.can(&token("sep"), "/vms/100", "VM.Allocate"));
        a.grant("/", "alice@pve!sep", "Administrator", true);
        assert!(
            !a.can(&token("sep"), "/nodes/pve1", "Sys.Modify"),
            "never more than the user"
        );
    }
}

//! The validated description of a container to create.
//!
//! [`ContainerSpec::builder`] collects the settings and [`ContainerSpecBuilder::build`] checks
//! every one of them the way PVE would, so a bad spec fails with [`Error::InvalidInput`] naming
//! the field before any request is sent.

use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

use crate::api::placement::Placement;
use crate::error::Error;

/// The network of a container when the spec names none: DHCP on the default bridge.
pub const DEFAULT_NET0: &str = "name=eth0,bridge=vmbr0,ip=dhcp";
/// The role an owner gets on their container when the spec names none.
pub const DEFAULT_OWNER_ROLE: &str = "PVEVMUser";

/// The operating system types PVE knows for containers (`ostype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the variants are the distributions' own names
pub enum OsType {
    Debian,
    Devuan,
    Ubuntu,
    Centos,
    Fedora,
    Opensuse,
    Archlinux,
    Alpine,
    Gentoo,
    Nixos,
    Unmanaged,
}

impl OsType {
    /// Every type, in PVE's order.
    pub const ALL: [OsType; 11] = [
        OsType::Debian,
        OsType::Devuan,
        OsType::Ubuntu,
        OsType::Centos,
        OsType::Fedora,
        OsType::Opensuse,
        OsType::Archlinux,
        OsType::Alpine,
        OsType::Gentoo,
        OsType::Nixos,
        OsType::Unmanaged,
    ];

    /// PVE's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            OsType::Debian => "debian",
            OsType::Devuan => "devuan",
            OsType::Ubuntu => "ubuntu",
            OsType::Centos => "centos",
            OsType::Fedora => "fedora",
            OsType::Opensuse => "opensuse",
            OsType::Archlinux => "archlinux",
            OsType::Alpine => "alpine",
            OsType::Gentoo => "gentoo",
            OsType::Nixos => "nixos",
            OsType::Unmanaged => "unmanaged",
        }
    }
}

impl fmt::Display for OsType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OsType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OsType::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = OsType::ALL.iter().map(|o| o.as_str()).collect();
                Error::invalid_input(
                    "ostype",
                    format!("'{s}' is not one of {}", known.join(", ")),
                )
            })
    }
}

/// A container to create, checked. Build it with [`ContainerSpec::builder`].
#[derive(Debug, Clone)]
pub struct ContainerSpec {
    pub(crate) hostname: String,
    pub(crate) template: String,
    pub(crate) storage: String,
    pub(crate) disk_gib: u32,
    pub(crate) cores: u32,
    pub(crate) memory_mib: u32,
    pub(crate) swap_mib: u32,
    pub(crate) ostype: Option<OsType>,
    pub(crate) net0: String,
    pub(crate) password: Option<SecretString>,
    pub(crate) ssh_public_keys: Vec<String>,
    pub(crate) unprivileged: bool,
    pub(crate) owner: Option<String>,
    pub(crate) owner_role: String,
    pub(crate) node: Option<String>,
    pub(crate) vmid: Option<u32>,
    pub(crate) placement: Placement,
}

impl ContainerSpec {
    /// Starts a spec. Required: hostname, template, and a root password and/or SSH keys.
    /// Defaults: storage `local-lvm`, 8 GiB disk, 1 core, 512 MiB memory and swap,
    /// [`DEFAULT_NET0`], unprivileged, placed by [`Placement::MostFreeMemory`], vmid from
    /// `/cluster/nextid`.
    pub fn builder() -> ContainerSpecBuilder {
        ContainerSpecBuilder::default()
    }

    /// The hostname.
    pub fn hostname(&self) -> &str {
        &self.hostname
    }

    /// The template volume id.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The storage the root disk goes to.
    pub fn storage(&self) -> &str {
        &self.storage
    }

    /// The storage holding the template (the volume id's part before `:`).
    pub fn template_storage(&self) -> &str {
        self.template.split(':').next().unwrap_or_default()
    }

    /// The node, when one was given.
    pub fn node(&self) -> Option<&str> {
        self.node.as_deref()
    }

    /// The vmid, when one was given.
    pub fn vmid(&self) -> Option<u32> {
        self.vmid
    }
}

/// Collects the settings of a [`ContainerSpec`].
#[derive(Debug, Clone)]
pub struct ContainerSpecBuilder {
    hostname: Option<String>,
    template: Option<String>,
    storage: String,
    disk_gib: u32,
    cores: u32,
    memory_mib: u32,
    swap_mib: u32,
    ostype: Option<String>,
    net0: String,
    password: Option<SecretString>,
    ssh_public_keys: Vec<String>,
    unprivileged: bool,
    owner: Option<String>,
    owner_role: String,
    node: Option<String>,
    vmid: Option<u32>,
    placement: Placement,
}

impl Default for ContainerSpecBuilder {
    fn default() -> Self {
        Self {
            hostname: None,
            template: None,
            storage: "local-lvm".to_owned(),
            disk_gib: 8,
            cores: 1,
            memory_mib: 512,
            swap_mib: 512,
            ostype: None,
            net0: DEFAULT_NET0.to_owned(),
            password: None,
            ssh_public_keys: Vec::new(),
            unprivileged: true,
            owner: None,
            owner_role: DEFAULT_OWNER_ROLE.to_owned(),
            node: None,
            vmid: None,
            placement: Placement::default(),
        }
    }
}

impl ContainerSpecBuilder {
    /// The hostname (RFC 1123: labels of letters, digits and `-`, at most 63 characters each).
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = Some(hostname.into());
        self
    }

    /// The template volume id, e.g. `local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`.
    pub fn template(mut self, volid: impl Into<String>) -> Self {
        self.template = Some(volid.into());
        self
    }

    /// The storage for the root disk.
    pub fn storage(mut self, storage: impl Into<String>) -> Self {
        self.storage = storage.into();
        self
    }

    /// Root disk size in GiB (1 to 131072).
    pub fn disk_gib(mut self, gib: u32) -> Self {
        self.disk_gib = gib;
        self
    }

    /// CPU cores (1 to 8192).
    pub fn cores(mut self, cores: u32) -> Self {
        self.cores = cores;
        self
    }

    /// Memory in MiB (at least 16).
    pub fn memory_mib(mut self, mib: u32) -> Self {
        self.memory_mib = mib;
        self
    }

    /// Swap in MiB.
    pub fn swap_mib(mut self, mib: u32) -> Self {
        self.swap_mib = mib;
        self
    }

    /// The OS type, one of PVE's names (see [`OsType`]); PVE guesses from the template when unset.
    pub fn ostype(mut self, ostype: impl Into<String>) -> Self {
        self.ostype = Some(ostype.into());
        self
    }

    /// The first network interface as PVE's property string (default [`DEFAULT_NET0`]).
    pub fn net0(mut self, net0: impl Into<String>) -> Self {
        self.net0 = net0.into();
        self
    }

    /// The root password (at least 5 characters, as PVE requires).
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(SecretString::from(password.into()));
        self
    }

    /// Adds an SSH public key for root (OpenSSH format, one line).
    pub fn ssh_public_key(mut self, key: impl Into<String>) -> Self {
        self.ssh_public_keys.push(key.into());
        self
    }

    /// Unprivileged (default) or privileged.
    pub fn unprivileged(mut self, unprivileged: bool) -> Self {
        self.unprivileged = unprivileged;
        self
    }

    /// A user (`name@realm`) to grant access to the new container.
    pub fn owner(mut self, userid: impl Into<String>) -> Self {
        self.owner = Some(userid.into());
        self
    }

    /// The role the owner gets (default [`DEFAULT_OWNER_ROLE`]).
    pub fn owner_role(mut self, role: impl Into<String>) -> Self {
        self.owner_role = role.into();
        self
    }

    /// The node to create it on; without one, the placement policy picks.
    pub fn node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// The vmid to use; without one, the next free id is taken.
    pub fn vmid(mut self, vmid: u32) -> Self {
        self.vmid = Some(vmid);
        self
    }

    /// The placement policy used when no node is given.
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// Checks every setting and returns the spec, or the first problem as
    /// [`Error::InvalidInput`] naming the field.
    pub fn build(self) -> Result<ContainerSpec, Error> {
        let hostname = self
            .hostname
            .ok_or_else(|| Error::invalid_input("hostname", "is required"))?;
        check_hostname(&hostname)?;
        let template = self
            .template
            .ok_or_else(|| Error::invalid_input("template", "is required"))?;
        check_template(&template)?;
        check_storage_id("storage", &self.storage)?;
        check_range("disk_gib", self.disk_gib, 1, 131_072)?;
        check_range("cores", self.cores, 1, 8192)?;
        check_range("memory_mib", self.memory_mib, 16, u32::MAX)?;
        let ostype = self.ostype.as_deref().map(OsType::from_str).transpose()?;
        check_net(&self.net0)?;
        if let Some(password) = &self.password {
            if password.expose_secret().chars().count() < 5 {
                return Err(Error::invalid_input(
                    "password",
                    "must be at least 5 characters long",
                ));
            }
        }
        for key in &self.ssh_public_keys {
            check_ssh_key(key)?;
        }
        if self.password.is_none() && self.ssh_public_keys.is_empty() {
            return Err(Error::invalid_input(
                "password",
                "give a root password and/or an SSH public key, or nobody can log in",
            ));
        }
        if let Some(owner) = &self.owner {
            check_userid("owner", owner)?;
        }
        if self.owner_role.is_empty() {
            return Err(Error::invalid_input("owner_role", "must not be empty"));
        }
        if let Some(node) = &self.node {
            check_node_name(node)?;
        }
        if let Some(vmid) = self.vmid {
            check_range("vmid", vmid, 100, 999_999_999)?;
        }
        Ok(ContainerSpec {
            hostname,
            template,
            storage: self.storage,
            disk_gib: self.disk_gib,
            cores: self.cores,
            memory_mib: self.memory_mib,
            swap_mib: self.swap_mib,
            ostype,
            net0: self.net0,
            password: self.password,
            ssh_public_keys: self.ssh_public_keys,
            unprivileged: self.unprivileged,
            owner: self.owner,
            owner_role: self.owner_role,
            node: self.node,
            vmid: self.vmid,
            placement: self.placement,
        })
    }
}

fn check_range(field: &str, value: u32, min: u32, max: u32) -> Result<(), Error> {
    if value < min || value > max {
        let bound = if max == u32::MAX {
            format!("at least {min}")
        } else {
            format!("between {min} and {max}")
        };
        return Err(Error::invalid_input(
            field,
            format!("{value} is out of range: must be {bound}"),
        ));
    }
    Ok(())
}

/// RFC 1123 host name: dot-separated labels of ASCII letters, digits and `-`, 1 to 63
/// characters each, not starting or ending with `-`; 253 characters at most.
pub fn check_hostname(hostname: &str) -> Result<(), Error> {
    let fail = |why: &str| Error::invalid_input("hostname", format!("'{hostname}' {why}"));
    if hostname.is_empty() {
        return Err(Error::invalid_input("hostname", "must not be empty"));
    }
    if hostname.len() > 253 {
        return Err(fail("is longer than 253 characters"));
    }
    for label in hostname.split('.') {
        if label.is_empty() {
            return Err(fail("has an empty label"));
        }
        if label.len() > 63 {
            return Err(fail("has a label longer than 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(fail("may only contain letters, digits, '-' and '.'"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(fail("has a label starting or ending with '-'"));
        }
    }
    Ok(())
}

/// PVE storage ids: a letter, then letters, digits, `-`, `_`, `.`, ending in a letter or digit.
fn check_storage_id(field: &str, storage: &str) -> Result<(), Error> {
    let bytes = storage.as_bytes();
    let ok = bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !ok {
        return Err(Error::invalid_input(
            field,
            format!("'{storage}' is not a storage id (letters, digits, '-', '_', '.')"),
        ));
    }
    Ok(())
}

fn check_template(volid: &str) -> Result<(), Error> {
    let Some((storage, path)) = volid.split_once(':') else {
        return Err(Error::invalid_input(
            "template",
            format!("'{volid}' is not a volume id like 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst'"),
        ));
    };
    check_storage_id("template", storage)?;
    let file = path.strip_prefix("vztmpl/").unwrap_or_default();
    if file.is_empty() || file.contains('/') {
        return Err(Error::invalid_input(
            "template",
            format!("'{volid}' is not a container template (expected '<storage>:vztmpl/<file>')"),
        ));
    }
    Ok(())
}

fn check_net(net0: &str) -> Result<(), Error> {
    let has_name = net0.split(',').any(|kv| {
        kv.split_once('=')
            .is_some_and(|(k, v)| k == "name" && !v.is_empty())
    });
    if !has_name {
        return Err(Error::invalid_input(
            "net0",
            format!("'{net0}' needs a 'name=' key, e.g. '{DEFAULT_NET0}'"),
        ));
    }
    Ok(())
}

fn check_ssh_key(key: &str) -> Result<(), Error> {
    let mut parts = key.split_whitespace();
    let kind = parts.next().unwrap_or_default();
    let known_kind = kind.starts_with("ssh-")
        || kind.starts_with("ecdsa-")
        || kind.starts_with("sk-ssh-")
        || kind.starts_with("sk-ecdsa-");
    if key.contains('\n') || !known_kind || parts.next().is_none() {
        return Err(Error::invalid_input(
            "ssh_public_key",
            "expected one OpenSSH public key line such as 'ssh-ed25519 AAAA... comment'",
        ));
    }
    Ok(())
}

/// `name@realm`: a name without whitespace, `:` or `/`, and a realm starting with a letter.
pub(crate) fn check_userid(field: &str, userid: &str) -> Result<(), Error> {
    let ok = userid.len() <= 64
        && userid.rsplit_once('@').is_some_and(|(name, realm)| {
            check_user_name(name).is_ok()
                && realm
                    .as_bytes()
                    .first()
                    .is_some_and(u8::is_ascii_alphabetic)
                && realm
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        });
    if !ok {
        return Err(Error::invalid_input(
            field,
            format!("'{userid}' is not a user id like 'alice@pve'"),
        ));
    }
    Ok(())
}

/// The name part of a user id: 1 to 60 characters, no whitespace, `:`, `/` or `@`.
pub(crate) fn check_user_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.chars().count() <= 60
        && !name
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ':' | '/' | '@'));
    if !ok {
        return Err(Error::invalid_input(
            "username",
            format!("'{name}' must be 1-60 characters without whitespace, ':', '/' or '@'"),
        ));
    }
    Ok(())
}

/// Node names are host names without dots.
pub(crate) fn check_node_name(node: &str) -> Result<(), Error> {
    check_hostname(node)
        .ok()
        .filter(|()| !node.contains('.'))
        .ok_or_else(|| Error::invalid_input("node", format!("'{node}' is not a node name")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ContainerSpecBuilder {
        ContainerSpec::builder()
            .hostname("web-1.example.com")
            .template("local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst")
            .password("hunter22")
    }

    fn field_of(result: Result<ContainerSpec, Error>) -> String {
        let err = result.expect_err("spec should be rejected");
        assert_eq!(err.code(), "INVALID_INPUT");
        assert!(!err.was_sent());
        err.parameter_errors().into_keys().next().unwrap()
    }

    #[test]
    fn defaults_are_pve_like() {
        let spec = valid().build().unwrap();
        assert_eq!(spec.storage, "local-lvm");
        assert_eq!(spec.net0, DEFAULT_NET0);
        assert!(spec.unprivileged);
        assert_eq!(spec.owner_role, "PVEVMUser");
        assert_eq!(spec.placement, Placement::MostFreeMemory);
        assert_eq!(spec.template_storage(), "local");
    }

    #[test]
    fn hostnames_follow_rfc_1123() {
        for good in ["a", "web1", "my-host", "a.b.c", &"x".repeat(63)] {
            assert!(check_hostname(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "a_b", "a..b", "ä", &"x".repeat(64), "a b"] {
            assert_eq!(field_of(valid().hostname(bad).build()), "hostname", "{bad}");
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(field_of(valid().cores(0).build()), "cores");
        assert_eq!(field_of(valid().cores(9000).build()), "cores");
        assert_eq!(field_of(valid().memory_mib(15).build()), "memory_mib");
        assert_eq!(field_of(valid().disk_gib(0).build()), "disk_gib");
        assert_eq!(field_of(valid().ostype("windows").build()), "ostype");
        assert_eq!(
            field_of(valid().template("debian.tar.zst").build()),
            "template"
        );
        assert_eq!(
            field_of(valid().template("local:iso/x.iso").build()),
            "template"
        );
        assert_eq!(field_of(valid().storage("9bad").build()), "storage");
        assert_eq!(field_of(valid().password("abcd").build()), "password");
        assert_eq!(field_of(valid().net0("bridge=vmbr0").build()), "net0");
        assert_eq!(
            field_of(valid().ssh_public_key("not a key").build()),
            "ssh_public_key"
        );
        assert_eq!(field_of(valid().owner("alice").build()), "owner");
        assert_eq!(field_of(valid().vmid(99).build()), "vmid");
        assert_eq!(field_of(valid().node("pve1.example").build()), "node");
        let no_login = ContainerSpec::builder()
            .hostname("a")
            .template("local:vztmpl/a.tar.zst")
            .build();
        assert_eq!(field_of(no_login), "password");
    }

    #[test]
    fn ssh_key_alone_is_enough_and_ostype_parses() {
        let spec = ContainerSpec::builder()
            .hostname("a")
            .template("local:vztmpl/a.tar.zst")
            .ssh_public_key("ssh-ed25519 AAAAC3Nza alice@laptop")
            .ostype("alpine")
            .build()
            .unwrap();
        assert_eq!(spec.ostype, Some(OsType::Alpine));
        assert!(spec.password.is_none());
    }

    #[test]
    fn debug_hides_the_password() {
        let spec = valid().password("canary-pw-123").build().unwrap();
        assert!(!format!("{spec:?}").contains("canary-pw-123"));
    }
}

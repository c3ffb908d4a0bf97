//! PVE's privileges and built-in roles, as bit sets.

/// Every privilege PVE 9 knows; a privilege's bit is its index here.
pub const PRIVILEGES: &[&str] = &[
    "VM.Allocate",
    "VM.Audit",
    "VM.Backup",
    "VM.Clone",
    "VM.Config.CDROM",
    "VM.Config.CPU",
    "VM.Config.Cloudinit",
    "VM.Config.Disk",
    "VM.Config.HWType",
    "VM.Config.Memory",
    "VM.Config.Network",
    "VM.Config.Options",
    "VM.Console",
    "VM.Migrate",
    "VM.Monitor",
    "VM.PowerMgmt",
    "VM.Replicate",
    "VM.Snapshot",
    "VM.Snapshot.Rollback",
    "VM.GuestAgent.Audit",
    "VM.GuestAgent.FileRead",
    "VM.GuestAgent.FileWrite",
    "VM.GuestAgent.FileSystemMgmt",
    "VM.GuestAgent.Unrestricted",
    "Sys.Audit",
    "Sys.Console",
    "Sys.Incoming",
    "Sys.Modify",
    "Sys.PowerMgmt",
    "Sys.Syslog",
    "Sys.AccessNetwork",
    "Datastore.Allocate",
    "Datastore.AllocateSpace",
    "Datastore.AllocateTemplate",
    "Datastore.Audit",
    "Permissions.Modify",
    "Pool.Allocate",
    "Pool.Audit",
    "Realm.Allocate",
    "Realm.AllocateUser",
    "Group.Allocate",
    "User.Modify",
    "SDN.Allocate",
    "SDN.Audit",
    "SDN.Use",
    "Mapping.Audit",
    "Mapping.Modify",
    "Mapping.Use",
];

/// A set of privileges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrivSet(pub u64);

impl PrivSet {
    /// Every privilege (root@pam, Administrator).
    pub const ALL: PrivSet = PrivSet(u64::MAX >> (64 - PRIVILEGES.len()));
    /// No privilege.
    pub const NONE: PrivSet = PrivSet(0);

    /// The set of the named privileges (unknown names are ignored).
    pub fn of(names: &[&str]) -> PrivSet {
        PrivSet(names.iter().filter_map(|n| bit(n)).fold(0, |a, b| a | b))
    }

    /// Whether the set holds `privilege`.
    pub fn has(self, privilege: &str) -> bool {
        bit(privilege).is_some_and(|b| self.0 & b != 0)
    }

    /// Union.
    pub fn union(self, other: PrivSet) -> PrivSet {
        PrivSet(self.0 | other.0)
    }

    /// Intersection.
    pub fn intersect(self, other: PrivSet) -> PrivSet {
        PrivSet(self.0 & other.0)
    }

    /// Whether every privilege of `other` is in `self`.
    pub fn contains(self, other: PrivSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// The names in the set.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        PRIVILEGES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
    }
}

fn bit(privilege: &str) -> Option<u64> {
    PRIVILEGES
        .iter()
        .position(|p| *p == privilege)
        .map(|i| 1u64 << i)
}

const VM_AUDIT: &[&str] = &["VM.Audit", "VM.GuestAgent.Audit"];
const VM_USER: &[&str] = &[
    "VM.Config.CDROM",
    "VM.Config.Cloudinit",
    "VM.Console",
    "VM.Backup",
    "VM.PowerMgmt",
];
const VM_ADMIN: &[&str] = &[
    "VM.Allocate",
    "VM.Clone",
    "VM.Config.CPU",
    "VM.Config.Disk",
    "VM.Config.HWType",
    "VM.Config.Memory",
    "VM.Config.Network",
    "VM.Config.Options",
    "VM.Migrate",
    "VM.Monitor",
    "VM.Replicate",
    "VM.Snapshot",
    "VM.Snapshot.Rollback",
    "VM.GuestAgent.FileRead",
    "VM.GuestAgent.FileWrite",
    "VM.GuestAgent.FileSystemMgmt",
    "VM.GuestAgent.Unrestricted",
];
const SYS_AUDIT: &[&str] = &["Sys.Audit"];
const SYS_ADMIN: &[&str] = &["Sys.Console", "Sys.Syslog"];
const DS_AUDIT: &[&str] = &["Datastore.Audit"];
const DS_USER: &[&str] = &["Datastore.AllocateSpace"];
const DS_ADMIN: &[&str] = &["Datastore.Allocate", "Datastore.AllocateTemplate"];
const USER_ADMIN: &[&str] = &["User.Modify", "Group.Allocate", "Realm.AllocateUser"];
const POOL_AUDIT: &[&str] = &["Pool.Audit"];
const POOL_ADMIN: &[&str] = &["Pool.Allocate"];
const SDN_AUDIT: &[&str] = &["SDN.Audit"];
const SDN_USER: &[&str] = &["SDN.Use"];
const SDN_ADMIN: &[&str] = &["SDN.Allocate"];
const MAP_AUDIT: &[&str] = &["Mapping.Audit"];
const MAP_USER: &[&str] = &["Mapping.Use"];
const MAP_ADMIN: &[&str] = &["Mapping.Modify"];

fn set(groups: &[&[&str]]) -> PrivSet {
    groups
        .iter()
        .fold(PrivSet::NONE, |acc, g| acc.union(PrivSet::of(g)))
}

/// Names of the built-in roles.
pub const ROLE_NAMES: &[&str] = &[
    "Administrator",
    "NoAccess",
    "PVEAdmin",
    "PVEAuditor",
    "PVEDatastoreAdmin",
    "PVEDatastoreUser",
    "PVEMappingAdmin",
    "PVEMappingUser",
    "PVEPoolAdmin",
    "PVEPoolUser",
    "PVESDNAdmin",
    "PVESDNUser",
    "PVESysAdmin",
    "PVETemplateUser",
    "PVEUserAdmin",
    "PVEVMAdmin",
    "PVEVMUser",
];

/// The privileges of a built-in role, `None` for an unknown role.
pub fn role(name: &str) -> Option<PrivSet> {
    Some(match name {
        "Administrator" => PrivSet::ALL,
        "NoAccess" => PrivSet::NONE,
        "PVEAdmin" => set(&[
            VM_AUDIT, VM_USER, VM_ADMIN, SYS_AUDIT, SYS_ADMIN, DS_AUDIT, DS_USER, DS_ADMIN,
            USER_ADMIN, POOL_AUDIT, POOL_ADMIN, SDN_AUDIT, SDN_USER, SDN_ADMIN, MAP_AUDIT,
            MAP_USER, MAP_ADMIN,
        ]),
        "PVEAuditor" => set(&[
            VM_AUDIT, SYS_AUDIT, DS_AUDIT, POOL_AUDIT, SDN_AUDIT, MAP_AUDIT,
        ]),
        "PVEDatastoreAdmin" => set(&[DS_AUDIT, DS_USER, DS_ADMIN]),
        "PVEDatastoreUser" => set(&[DS_AUDIT, DS_USER]),
        "PVEMappingAdmin" => set(&[MAP_AUDIT, MAP_USER, MAP_ADMIN]),
        "PVEMappingUser" => set(&[MAP_AUDIT, MAP_USER]),
        "PVEPoolAdmin" => set(&[POOL_AUDIT, POOL_ADMIN]),
        "PVEPoolUser" => set(&[POOL_AUDIT]),
        "PVESDNAdmin" => set(&[SDN_AUDIT, SDN_USER, SDN_ADMIN]),
        "PVESDNUser" => set(&[SDN_AUDIT, SDN_USER]),
        "PVESysAdmin" => set(&[SYS_AUDIT, SYS_ADMIN, &["Sys.AccessNetwork", "Pool.Audit"]]),
        "PVETemplateUser" => PrivSet::of(&["VM.Audit", "VM.Clone"]),
        "PVEUserAdmin" => set(&[USER_ADMIN]),
        "PVEVMAdmin" => set(&[VM_AUDIT, VM_USER, VM_ADMIN]),
        "PVEVMUser" => set(&[VM_AUDIT, VM_USER]),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_hold_the_expected_privileges() {
        assert!(PRIVILEGES.len() <= 64);
        let vm_user = role("PVEVMUser").unwrap();
        assert!(
            vm_user.has("VM.Console") && vm_user.has("VM.PowerMgmt") && vm_user.has("VM.Audit")
        );
        assert!(!vm_user.has("VM.Allocate"));
        assert!(role("Administrator").unwrap().has("Permissions.Modify"));
        assert!(!role("PVEAdmin").unwrap().has("Permissions.Modify"));
        assert!(!role("PVEAdmin").unwrap().has("Sys.Modify"));
        assert_eq!(role("NoAccess"), Some(PrivSet::NONE));
        assert!(role("Bogus").is_none());
        assert_eq!(PrivSet::ALL.names().count(), PRIVILEGES.len());
    }
}

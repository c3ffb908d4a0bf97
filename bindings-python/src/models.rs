//! Typed results: one frozen `#[pyclass]` per core model, holding the core value itself.
//!
//! The data stays in Rust: an attribute becomes a Python object only when it is read, so turning
//! 20,000 decoded guests into Python objects is one small allocation each, with no JSON tree
//! and no per-key Python strings. `to_dict()` converts on demand with interned keys. `__repr__`
//! never shows a secret (tickets and passwords are `Secret` objects whose repr is redacted).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use proxmox_api_bindings::prelude as core;
use proxmox_api_bindings::prelude::{Error, JsonValue};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use secrecy::{ExposeSecret, SecretString};

use crate::convert::json_to_py;
use crate::errors;
use crate::results::{Mode, ToPython};

/// A model field: its value as an attribute (nested models stay typed), as plain data for
/// `to_dict()`, and its type in the stubs.
pub trait Field {
    /// The attribute value.
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject>;
    /// Plain data (nested models as dicts).
    fn plain(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.attr(py)
    }
    /// The stub type.
    fn hint() -> String;
}

macro_rules! scalar_field {
    ($($ty:ty => $hint:literal),* $(,)?) => {$(
        impl Field for $ty {
            fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
                Ok(self.clone().into_pyobject(py)?.to_owned().into_any().unbind())
            }
            fn hint() -> String { $hint.into() }
        }
    )*};
}
scalar_field!(String => "str", bool => "bool", u16 => "int", u32 => "int", u64 => "int",
    i64 => "int", f64 => "float");

impl<T: Field> Field for Option<T> {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        match self {
            Some(v) => v.attr(py),
            None => Ok(py.None()),
        }
    }
    fn plain(&self, py: Python<'_>) -> PyResult<PyObject> {
        match self {
            Some(v) => v.plain(py),
            None => Ok(py.None()),
        }
    }
    fn hint() -> String {
        format!("Optional[{}]", T::hint())
    }
}

impl<T: Field> Field for Vec<T> {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        let items = self
            .iter()
            .map(|v| v.attr(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
    fn plain(&self, py: Python<'_>) -> PyResult<PyObject> {
        let items = self
            .iter()
            .map(|v| v.plain(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
    fn hint() -> String {
        format!("List[{}]", T::hint())
    }
}

impl<K: Field + Ord, V: Field> Field for BTreeMap<K, V> {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        let dict = PyDict::new(py);
        for (k, v) in self {
            dict.set_item(k.attr(py)?, v.attr(py)?)?;
        }
        Ok(dict.into_any().unbind())
    }
    fn plain(&self, py: Python<'_>) -> PyResult<PyObject> {
        let dict = PyDict::new(py);
        for (k, v) in self {
            dict.set_item(k.plain(py)?, v.plain(py)?)?;
        }
        Ok(dict.into_any().unbind())
    }
    fn hint() -> String {
        format!("Dict[{}, {}]", K::hint(), V::hint())
    }
}

impl Field for (String, String) {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        Ok((&self.0, &self.1).into_pyobject(py)?.into_any().unbind())
    }
    fn hint() -> String {
        "Tuple[str, str]".into()
    }
}

impl Field for JsonValue {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        json_to_py(py, self)
    }
    fn hint() -> String {
        "JsonValue".into()
    }
}

/// Enums as their wire text.
macro_rules! text_field {
    ($($ty:ty: |$v:ident| $text:expr),* $(,)?) => {$(
        impl Field for $ty {
            fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
                let $v = self;
                Ok(PyString::new(py, &$text).into_any().unbind())
            }
            fn hint() -> String { "str".into() }
        }
    )*};
}
text_field!(
    core::GuestStatus: |v| v.as_str(),
    core::NodeOnlineStatus: |v| v.to_string(),
    core::TaskState: |v| v.to_string(),
    core::AclSubject: |v| v.as_str(),
    core::SameSite: |v| v.as_str(),
    core::Upid: |v| v.to_string(),
    core::TaskPhase: |v| match v { core::TaskPhase::Running => "running", core::TaskPhase::Stopped => "stopped" },
    core::TaskResult: |v| match v {
        core::TaskResult::Running => "running".to_owned(),
        core::TaskResult::Ok => "OK".to_owned(),
        core::TaskResult::Warnings(n) => format!("WARNINGS: {n}"),
        core::TaskResult::Failed(text) => text.clone(),
    },
);

impl Field for Duration {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.as_secs_f64().attr(py)
    }
    fn hint() -> String {
        "float".into()
    }
}

impl Field for SystemTime {
    /// Unix seconds.
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        let secs = self
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        secs.attr(py)
    }
    fn hint() -> String {
        "float".into()
    }
}

impl Field for Error {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        Ok(errors::build(py, self)?.unbind())
    }
    fn hint() -> String {
        "ProxmoxError".into()
    }
}

/// A secret (ticket, password, cookie value): its repr is redacted; `reveal()` gives the text.
#[pyclass(module = "proxmox_api", frozen)]
pub struct Secret(SecretString);

#[pymethods]
impl Secret {
    /// The secret text. Do not log it.
    fn reveal(&self) -> String {
        self.0.expose_secret().to_owned()
    }

    fn __repr__(&self) -> &'static str {
        "Secret('[REDACTED]')"
    }

    fn __str__(&self) -> &'static str {
        "[REDACTED]"
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .downcast::<Secret>()
            .is_ok_and(|o| o.get().0.expose_secret() == self.0.expose_secret())
    }
}

impl Field for SecretString {
    fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
        Ok(Py::new(py, Secret(self.clone()))?.into_any())
    }
    fn hint() -> String {
        "Secret".into()
    }
}

/// The stub type of a field, from a projection (no value needed).
fn hint_of<M, T: Field>(_: fn(&M) -> &T) -> String {
    T::hint()
}

macro_rules! models {
    ($( $(#[doc = $doc:literal])* $name:ident ($core:ident) { $($field:ident),* $(,)? } )*) => {
        $(
            $(#[doc = $doc])*
            #[pyclass(module = "proxmox_api", frozen)]
            pub struct $name(pub core::$core);

            impl $name {
                /// Wraps a core value.
                pub fn from_core(value: core::$core) -> Self {
                    Self(value)
                }
            }

            #[pymethods]
            impl $name {
                $(
                    #[getter]
                    fn $field(&self, py: Python<'_>) -> PyResult<PyObject> {
                        Field::attr(&self.0.$field, py)
                    }
                )*

                /// The fields as plain Python data (nested models as dicts too).
                fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                    let dict = PyDict::new(py);
                    $( dict.set_item(pyo3::intern!(py, stringify!($field)), Field::plain(&self.0.$field, py)?)?; )*
                    Ok(dict)
                }

                fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                    let mut parts: Vec<String> = Vec::new();
                    $( parts.push(format!("{}={}", stringify!($field), Field::attr(&self.0.$field, py)?.bind(py).repr()?)); )*
                    Ok(format!("{}({})", stringify!($name), parts.join(", ")))
                }

                fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                    match other.downcast::<Self>() {
                        Ok(other) => self.to_dict(py)?.eq(other.get().to_dict(py)?),
                        Err(_) => Ok(false),
                    }
                }
            }

            impl Field for core::$core {
                fn attr(&self, py: Python<'_>) -> PyResult<PyObject> {
                    Ok(Py::new(py, $name(self.clone()))?.into_any())
                }
                fn plain(&self, py: Python<'_>) -> PyResult<PyObject> {
                    Ok($name(self.clone()).to_dict(py)?.into_any().unbind())
                }
                fn hint() -> String { stringify!($name).into() }
            }

            impl ToPython for core::$core {
                fn to_python(self, py: Python<'_>, _mode: Mode) -> PyResult<PyObject> {
                    Ok(Py::new(py, $name(self))?.into_any())
                }
                fn hint(_mode: Mode) -> String { stringify!($name).into() }
            }
        )*

        /// Registers every model class.
        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $( m.add_class::<$name>()?; )*
            m.add_class::<Secret>()?;
            m.add_class::<TemplateCatalog>()?;
            Ok(())
        }

        /// The stubs of every model class.
        pub fn stubs(out: &mut String) {
            $(
                out.push_str(&format!("\n@final\nclass {}:\n", stringify!($name)));
                let doc = [$($doc),*].iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
                if !doc.is_empty() {
                    out.push_str(&format!("    \"\"\"{}\"\"\"\n\n", doc.replace('\\', "\\\\")));
                }
                $(
                    out.push_str(&format!(
                        "    @property\n    def {}(self) -> {}: ...\n",
                        stringify!($field),
                        hint_of(|m: &core::$core| &m.$field)
                    ));
                )*
                out.push_str("    def to_dict(self) -> Dict[str, JsonValue]: ...\n");
                out.push_str("    def __eq__(self, other: object) -> bool: ...\n");
            )*
        }
    };
}

models! {
    /// The server's version (`GET /version`).
    Version(Version) { version, release, repoid, console, extra }
    /// A node as `GET /nodes` lists it.
    NodeSummary(NodeSummary) { node, status, cpu, maxcpu, mem, maxmem, disk, maxdisk, uptime, level, ssl_fingerprint, id, kind }
    /// A node's CPU model and counts.
    CpuInfo(CpuInfo) { model, cpus, cores, sockets, mhz, hvm, user_hz, flags }
    /// Memory or swap usage in bytes.
    MemoryUsage(MemoryUsage) { total, used, free, available }
    /// Disk usage in bytes.
    DiskUsage(DiskUsage) { total, used, free, avail }
    /// Kernel same-page merging.
    KsmInfo(KsmInfo) { shared }
    /// A node's full status (`GET /nodes/{node}/status`).
    NodeStatus(NodeStatus) { loadavg, cpu, wait, idle, cpuinfo, memory, swap, rootfs, ksm, uptime, kversion, pveversion, current_kernel, boot_info, extra }
    /// A storage of one node.
    StorageSummary(StorageSummary) { storage, kind, content, active, enabled, shared, total, used, avail, used_fraction }
    /// One volume of a storage (template, disk, backup, ...).
    StorageContentItem(StorageContentItem) { volid, content, format, size, used, ctime, vmid, notes, subtype, parent, encrypted, protected, verification }
    /// A downloadable template from the catalogue.
    AplInfoEntry(AplInfoEntry) { template, package, os, version, kind, section, headline, description, infopage, location, maintainer, md5sum, sha512sum, source, architecture, manageurl }
    /// A container as `GET /nodes/{node}/lxc` lists it.
    LxcSummary(LxcSummary) { vmid, name, status, cpus, cpu, mem, maxmem, swap, maxswap, disk, maxdisk, uptime, netin, netout, diskread, diskwrite, pid, lock, tags, template, kind, pressurecpusome, pressurecpufull, pressureiosome, pressureiofull, pressurememorysome, pressurememoryfull }
    /// A container's current status.
    LxcStatus(LxcStatus) { vmid, name, status, pid, ha, lock, tags, template, cpus, cpu, mem, maxmem, swap, maxswap, disk, maxdisk, uptime, netin, netout, diskread, diskwrite, kind, extra }
    /// A container's configuration.
    LxcConfig(LxcConfig) { hostname, ostype, arch, cores, cpulimit, cpuunits, memory, swap, rootfs, unprivileged, onboot, protection, template, features, tags, description, nameserver, searchdomain, startup, timezone, lock, digest, lxc, nets, mount_points, unused, devices, extra }
    /// A node in `GET /cluster/resources`.
    NodeResource(NodeResource) { id, node, status, cpu, maxcpu, mem, maxmem, disk, maxdisk, uptime, level, cgroup_mode }
    /// A guest (container or VM) in `GET /cluster/resources`; `id` is `lxc/<vmid>` or `qemu/<vmid>`.
    GuestResource(GuestResource) { id, vmid, name, node, status, template, cpu, maxcpu, mem, maxmem, disk, maxdisk, uptime, netin, netout, diskread, diskwrite, hastate, lock, tags, pool }
    /// A storage in `GET /cluster/resources`.
    StorageResource(StorageResource) { id, storage, node, status, plugintype, content, shared, disk, maxdisk }
    /// One entry of `GET /cluster/status`: the cluster or a node.
    ClusterStatusEntry(ClusterStatusEntry) { kind, id, name, quorate, nodes, version, online, local, ip, nodeid, level }
    /// A task in a task history.
    TaskSummary(TaskSummary) { upid, node, pid, pstart, starttime, endtime, task_type, id, user, status, saved }
    /// One page of a node's task history with the number of all matching tasks.
    TaskList(TaskList) { tasks, total }
    /// A task's current status.
    TaskStatus(TaskStatus) { status, exitstatus, upid, node, pid, pstart, starttime, task_type, id, user }
    /// One task log line.
    TaskLogLine(TaskLogLine) { n, t }
    /// A user as `GET /access/users` lists it.
    UserEntry(UserEntry) { userid, enable, expire, firstname, lastname, email, comment, groups, tokens, realm_type, keys, tfa_locked_until, totp_locked }
    /// A user's account details.
    UserDetail(UserDetail) { enable, expire, firstname, lastname, email, comment, groups, tokens, keys, extra }
    /// An API token of a user.
    ApiTokenInfo(ApiTokenInfo) { tokenid, comment, expire, privsep }
    /// One ACL entry.
    AclEntry(AclEntry) { path, roleid, kind, ugid, propagate }
    /// A VNC proxy ticket (secret) and port.
    VncProxy(VncProxy) { user, ticket, cert, port, upid, password }
    /// One container destruction from the task history; `outcome` is `running`, `OK`, `WARNINGS: n` or the error.
    DestroyRecord(DestroyRecord) { vmid, node, user, start, end, outcome }
    /// Where one copy of a template lives.
    TemplateLocation(TemplateLocation) { node, storage }
    /// One template and every node and storage holding it.
    TemplateAvailability(TemplateAvailability) { volid, name, size, locations }
    /// A container found by vmid: where it lives, its status and configuration.
    ContainerInfo(Container) { vmid, node, status, config }
    /// A user with the containers they have access to.
    User(User) { userid, detail, vmids }
    /// What a browser needs to open an end user's console.
    ConsoleSession(ConsoleSession) { url, cookie }
    /// A cookie to set in the end user's browser; `value` is secret.
    BrowserCookie(BrowserCookie) { name, value, path, domain, secure, same_site }
    /// A session ticket (secret) of another user.
    SessionTicket(SessionTicket) { userid, ticket, csrf, issued_at }
    /// How a successful task ended.
    TaskOutcome(TaskOutcome) { upid, warnings, exit_status }
    /// One progress report while waiting for a task: `phase` (`running`/`stopped`), the new log lines, seconds waited.
    TaskProgress(TaskProgress) { phase, new_lines, elapsed }
    /// One graph sample of a node; missing samples are None.
    NodeRrdPoint(NodeRrdPoint) { time, cpu, maxcpu, iowait, loadavg, memtotal, memused, memavailable, arcsize, swaptotal, swapused, roottotal, rootused, netin, netout, pressurecpusome, pressurecpufull, pressureiosome, pressureiofull, pressurememorysome, pressurememoryfull, extra }
    /// One graph sample of a guest; missing samples are None.
    GuestRrdPoint(GuestRrdPoint) { time, cpu, maxcpu, mem, maxmem, memhost, disk, maxdisk, netin, netout, diskread, diskwrite, pressurecpusome, pressurecpufull, pressureiosome, pressureiofull, pressurememorysome, pressurememoryfull, extra }
}

/// `GET /cluster/resources` entries: a typed class per kind; unknown kinds as plain data.
impl ToPython for core::ClusterResource {
    fn to_python(self, py: Python<'_>, _mode: Mode) -> PyResult<PyObject> {
        Ok(match self {
            core::ClusterResource::Node(r) => Py::new(py, NodeResource(r))?.into_any(),
            core::ClusterResource::Lxc(r) | core::ClusterResource::Qemu(r) => {
                Py::new(py, GuestResource(r))?.into_any()
            }
            core::ClusterResource::Storage(r) => Py::new(py, StorageResource(r))?.into_any(),
            core::ClusterResource::Other(v) => json_to_py(py, &v)?,
        })
    }
    fn hint(_mode: Mode) -> String {
        "ClusterResource".into()
    }
}

/// The cluster's templates merged by volume id, and the nodes that could not be asked (each
/// with its exception, not raised).
#[pyclass(module = "proxmox_api", frozen)]
pub struct TemplateCatalog {
    templates: Vec<core::TemplateAvailability>,
    unreachable: Py<PyDict>,
}

#[pymethods]
impl TemplateCatalog {
    /// Templates sorted by volume id.
    #[getter]
    fn templates(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.templates.attr(py)
    }

    /// Node name to the error that node gave.
    #[getter]
    fn unreachable(&self, py: Python<'_>) -> Py<PyDict> {
        self.unreachable.clone_ref(py)
    }

    /// The fields as plain Python data (errors stay exception instances).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item(pyo3::intern!(py, "templates"), self.templates.plain(py)?)?;
        dict.set_item(
            pyo3::intern!(py, "unreachable"),
            self.unreachable.bind(py).copy()?,
        )?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "TemplateCatalog(templates={}, unreachable={})",
            self.templates.attr(py)?.bind(py).repr()?,
            self.unreachable.bind(py).repr()?
        ))
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.downcast::<Self>() {
            Ok(other) => Ok(self
                .templates
                .plain(py)?
                .bind(py)
                .eq(other.get().templates.plain(py)?)?
                && self
                    .unreachable
                    .bind(py)
                    .keys()
                    .eq(other.get().unreachable.bind(py).keys())?),
            Err(_) => Ok(false),
        }
    }
}

impl ToPython for core::TemplateCatalog {
    fn to_python(self, py: Python<'_>, _mode: Mode) -> PyResult<PyObject> {
        let unreachable = PyDict::new(py);
        for (node, error) in &self.unreachable {
            unreachable.set_item(node, error.attr(py)?)?;
        }
        Ok(Py::new(
            py,
            TemplateCatalog {
                templates: self.templates,
                unreachable: unreachable.unbind(),
            },
        )?
        .into_any())
    }
    fn hint(_mode: Mode) -> String {
        "TemplateCatalog".into()
    }
}

/// The stubs of the hand-written classes.
pub const MANUAL_STUBS: &str = r#"
@final
class TemplateCatalog:
    """The cluster's templates merged by volume id, and the nodes that could not be asked."""

    @property
    def templates(self) -> List[TemplateAvailability]: ...
    @property
    def unreachable(self) -> Dict[str, ProxmoxError]: ...
    def to_dict(self) -> Dict[str, object]: ...
    def __eq__(self, other: object) -> bool: ...

@final
class Secret:
    """A secret (ticket, password, cookie value); its repr is redacted."""

    def reveal(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...

ClusterResource = Union[NodeResource, GuestResource, StorageResource, Dict[str, JsonValue]]
"#;

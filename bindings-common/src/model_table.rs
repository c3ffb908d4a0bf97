//! THE model table: every core model the bindings return as a typed object, with its fields,
//! declared once (grammar in the crate docs, "The model table").

/// Expands `$generator! { <the whole model table> }`; see the crate documentation for the grammar.
#[macro_export]
macro_rules! models {
    ($generator:ident) => {
        $generator! {
            /// The server's version (`GET /version`).
            data Version(Version) { version, release, repoid, console, extra }
            /// A node as `GET /nodes` lists it.
            data NodeSummary(NodeSummary) { node, status, cpu, maxcpu, mem, maxmem, disk, maxdisk, uptime, level, ssl_fingerprint, id, kind }
            /// A node's CPU model and counts.
            data CpuInfo(CpuInfo) { model, cpus, cores, sockets, mhz, hvm, user_hz, flags }
            /// Memory or swap usage in bytes.
            data MemoryUsage(MemoryUsage) { total, used, free, available }
            /// Disk usage in bytes.
            data DiskUsage(DiskUsage) { total, used, free, avail }
            /// Kernel same-page merging.
            data KsmInfo(KsmInfo) { shared }
            /// A node's full status (`GET /nodes/{node}/status`).
            data NodeStatus(NodeStatus) { loadavg, cpu, wait, idle, cpuinfo, memory, swap, rootfs, ksm, uptime, kversion, pveversion, current_kernel, boot_info, extra }
            /// A storage of one node.
            data StorageSummary(StorageSummary) { storage, kind, content, active, enabled, shared, total, used, avail, used_fraction }
            /// One volume of a storage (template, disk, backup, ...).
            data StorageContentItem(StorageContentItem) { volid, content, format, size, used, ctime, vmid, notes, subtype, parent, encrypted, protected, verification }
            /// A downloadable template from the catalogue.
            data AplInfoEntry(AplInfoEntry) { template, package, os, version, kind, section, headline, description, infopage, location, maintainer, md5sum, sha512sum, source, architecture, manageurl }
            /// A container as `GET /nodes/{node}/lxc` lists it.
            data LxcSummary(LxcSummary) { vmid, name, status, cpus, cpu, mem, maxmem, swap, maxswap, disk, maxdisk, uptime, netin, netout, diskread, diskwrite, pid, lock, tags, template, kind, pressurecpusome, pressurecpufull, pressureiosome, pressureiofull, pressurememorysome, pressurememoryfull }
            /// A container's current status.
            data LxcStatus(LxcStatus) { vmid, name, status, pid, ha, lock, tags, template, cpus, cpu, mem, maxmem, swap, maxswap, disk, maxdisk, uptime, netin, netout, diskread, diskwrite, kind, extra }
            /// A container's configuration.
            data LxcConfig(LxcConfig) { hostname, ostype, arch, cores, cpulimit, cpuunits, memory, swap, rootfs, unprivileged, onboot, protection, template, features, tags, description, nameserver, searchdomain, startup, timezone, lock, digest, lxc, nets, mount_points, unused, devices, extra }
            /// A node in `GET /cluster/resources`.
            data NodeResource(NodeResource) { id, node, status, cpu, maxcpu, mem, maxmem, disk, maxdisk, uptime, level, cgroup_mode }
            /// A guest (container or VM) in `GET /cluster/resources`; `id` is `lxc/<vmid>` or `qemu/<vmid>`.
            data GuestResource(GuestResource) { id, vmid, name, node, status, template, cpu, maxcpu, mem, maxmem, disk, maxdisk, uptime, netin, netout, diskread, diskwrite, hastate, lock, tags, pool }
            /// A storage in `GET /cluster/resources`.
            data StorageResource(StorageResource) { id, storage, node, status, plugintype, content, shared, disk, maxdisk }
            /// One entry of `GET /cluster/status`: the cluster or a node.
            data ClusterStatusEntry(ClusterStatusEntry) { kind, id, name, quorate, nodes, version, online, local, ip, nodeid, level }
            /// A task in a task history.
            data TaskSummary(TaskSummary) { upid, node, pid, pstart, starttime, endtime, task_type, id, user, status, saved }
            /// One page of a node's task history with the number of all matching tasks.
            data TaskList(TaskList) { tasks, total }
            /// A task's current status.
            data TaskStatus(TaskStatus) { status, exitstatus, upid, node, pid, pstart, starttime, task_type, id, user }
            /// One task log line.
            data TaskLogLine(TaskLogLine) { n, t }
            /// A user as `GET /access/users` lists it.
            data UserEntry(UserEntry) { userid, enable, expire, firstname, lastname, email, comment, groups, tokens, realm_type, keys, tfa_locked_until, totp_locked }
            /// A user's account details.
            data UserDetail(UserDetail) { enable, expire, firstname, lastname, email, comment, groups, tokens, keys, extra }
            /// An API token of a user.
            data ApiTokenInfo(ApiTokenInfo) { tokenid, comment, expire, privsep }
            /// One ACL entry.
            data AclEntry(AclEntry) { path, roleid, kind, ugid, propagate }
            /// A VNC proxy ticket (secret) and port.
            secret VncProxy(VncProxy) { user, ticket, cert, port, upid, password }
            /// One container destruction from the task history; `outcome` is `running`, `OK`, `WARNINGS: n` or the error.
            data DestroyRecord(DestroyRecord) { vmid, node, user, start, end, outcome }
            /// Where one copy of a template lives.
            data TemplateLocation(TemplateLocation) { node, storage }
            /// One template and every node and storage holding it.
            data TemplateAvailability(TemplateAvailability) { volid, name, size, locations }
            /// A container found by vmid: where it lives, its status and configuration.
            data ContainerInfo(Container) { vmid, node, status, config }
            /// A user with the containers they have access to.
            data User(User) { userid, detail, vmids }
            /// What a browser needs to open an end user's console.
            secret ConsoleSession(ConsoleSession) { url, cookie }
            /// A cookie to set in the end user's browser; `value` is secret.
            secret BrowserCookie(BrowserCookie) { name, value, path, domain, secure, same_site }
            /// A session ticket (secret) of another user.
            secret SessionTicket(SessionTicket) { userid, ticket, csrf, issued_at }
            /// How a successful task ended.
            data TaskOutcome(TaskOutcome) { upid, warnings, exit_status }
            /// One progress report while waiting for a task: `phase` (`running`/`stopped`), the new log lines, seconds waited.
            data TaskProgress(TaskProgress) { phase, new_lines, elapsed }
            /// One graph sample of a node; missing samples are None.
            data NodeRrdPoint(NodeRrdPoint) { time, cpu, maxcpu, iowait, loadavg, memtotal, memused, memavailable, arcsize, swaptotal, swapused, roottotal, rootused, netin, netout, pressurecpusome, pressurecpufull, pressureiosome, pressureiofull, pressurememorysome, pressurememoryfull, extra }
            /// One graph sample of a guest; missing samples are None.
            data GuestRrdPoint(GuestRrdPoint) { time, cpu, maxcpu, mem, maxmem, memhost, disk, maxdisk, netin, netout, diskread, diskwrite, pressurecpusome, pressurecpufull, pressureiosome, pressureiofull, pressurememorysome, pressurememoryfull, extra }
        }
    };
}

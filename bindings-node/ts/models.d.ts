/* The models of the shared model table (bindings-common/src/model_table.rs), camelCase field
 * names. Written by hand for their TSDoc; test/models.test.mjs fails when a field here is
 * missing, extra or of another type than what the addon returns (its modelShapes()). */

/** One entry of `GET /nodes`. Offline nodes omit every metric, hence the `Option`s. */
export interface NodeSummary {
  /** Node name, e.g. `pve1`. */
  node: string
  /** Online state as the cluster sees it. */
  status: NodeOnlineStatus
  /** CPU utilisation as a fraction (0.0 to 1.0 per the whole node). */
  cpu: number | null
  /** Number of logical CPUs. */
  maxcpu: number | null
  /** Used memory in bytes. */
  mem: number | null
  /** Total memory in bytes. */
  maxmem: number | null
  /** Used root disk in bytes. */
  disk: number | null
  /** Root disk size in bytes. */
  maxdisk: number | null
  /** Uptime in seconds. */
  uptime: number | null
  /** Support subscription level (`""` without a subscription). */
  level: string | null
  /** SHA-256 fingerprint of the node's certificate in `AA:BB:...` form. */
  sslFingerprint: string | null
  /** Resource id, e.g. `node/pve1`. */
  id: string | null
  /** Resource type (always `node` when present). */
  kind: string | null
}

/** `cpuinfo` of `GET /nodes/{node}/status`. */
export interface CpuInfo {
  /** CPU model name. */
  model: string | null
  /** Logical CPUs (threads). */
  cpus: number | null
  /** Physical cores per socket. */
  cores: number | null
  /** CPU sockets. */
  sockets: number | null
  /** Clock in MHz (PVE sends a string such as `"3400.000"`). */
  mhz: number | null
  /** Hardware virtualisation available (PVE sends `"1"`). */
  hvm: boolean | null
  /** Kernel clock ticks per second. */
  userHz: number | null
  /** CPU flags, space separated as in `/proc/cpuinfo`. */
  flags: string | null
}

/** Memory or swap usage in bytes. */
export interface MemoryUsage {
  /** Total bytes. */
  total: number
  /** Used bytes. */
  used: number
  /** Free bytes. */
  free: number
  /** Bytes available to new processes (PVE 8.2+; absent before). */
  available: number | null
}

/** Root filesystem usage in bytes. */
export interface DiskUsage {
  /** Total bytes. */
  total: number
  /** Used bytes. */
  used: number
  /** Free bytes. */
  free: number
  /** Bytes available to unprivileged users. */
  avail: number | null
}

/** Kernel same-page merging statistics. */
export interface KsmInfo {
  /** Bytes shared by KSM. */
  shared: number
}

/** `GET /nodes/{node}/status`: the full status of one node. */
export interface NodeStatus {
  /** Load average over 1, 5 and 15 minutes (PVE sends strings). */
  loadavg: Array<number>
  /** CPU utilisation as a fraction. */
  cpu: number | null
  /** Fraction of time waiting for I/O. */
  wait: number | null
  /** Idle fraction (older versions). */
  idle: number | null
  /** CPU model and counts. */
  cpuinfo: CpuInfo
  /** Memory usage. */
  memory: MemoryUsage
  /** Swap usage. */
  swap: MemoryUsage
  /** Root filesystem usage. */
  rootfs: DiskUsage
  /** KSM statistics. */
  ksm: KsmInfo | null
  /** Uptime in seconds. */
  uptime: number | null
  /** Full `uname` of the running kernel (older versions). */
  kversion: string | null
  /** e.g. `pve-manager/7.4-16/0f39f621`. */
  pveversion: string | null
  /** The running kernel (`sysname`, `release`, `version`, `machine`; PVE 8.1+). */
  currentKernel: JsonValue | null
  /** Boot mode (`mode`: `efi`/`legacy-bios`, `secureboot`; PVE 8.1+). */
  bootInfo: JsonValue | null
  /** Fields this client does not model, kept as sent. */
  extra: Record<string, JsonValue>
}

/** A node as listed by `GET /cluster/resources`. */
export interface NodeResource {
  /** Resource id, `node/<name>`. */
  id: string
  /** Node name. */
  node: string
  /** Online state. */
  status: NodeOnlineStatus
  /** CPU utilisation as a fraction. */
  cpu: number | null
  /** Logical CPUs. */
  maxcpu: number | null
  /** Used memory in bytes. */
  mem: number | null
  /** Total memory in bytes. */
  maxmem: number | null
  /** Used root disk in bytes. */
  disk: number | null
  /** Root disk size in bytes. */
  maxdisk: number | null
  /** Uptime in seconds. */
  uptime: number | null
  /** Subscription level (`""` without one). */
  level: string | null
  /** cgroup version of the node (1 or 2). */
  cgroupMode: number | null
}

/** A container or VM as listed by `GET /cluster/resources`. */
export interface GuestResource {
  /** Resource id, `lxc/<vmid>` or `qemu/<vmid>`. */
  id: string
  /** The guest's id (PVE has sent it as a string in some versions). */
  vmid: number
  /** Guest name (hostname for containers). */
  name: string | null
  /** Node the guest lives on. */
  node: string
  /** Running state. */
  status: GuestStatus
  /** Whether the guest is a template (PVE sends `0`/`1`, or omits it). */
  template: boolean
  /** CPU utilisation as a fraction of `maxcpu`. */
  cpu: number | null
  /** CPUs available to the guest (may be fractional with a CPU limit). */
  maxcpu: number | null
  /** Used memory in bytes. */
  mem: number | null
  /** Memory limit in bytes. */
  maxmem: number | null
  /** Used root disk in bytes. */
  disk: number | null
  /** Root disk size in bytes. */
  maxdisk: number | null
  /** Uptime in seconds. */
  uptime: number | null
  /** Bytes received. */
  netin: number | null
  /** Bytes sent. */
  netout: number | null
  /** Bytes read from disk. */
  diskread: number | null
  /** Bytes written to disk. */
  diskwrite: number | null
  /** HA state when the guest is HA-managed. */
  hastate: string | null
  /** Config lock held (e.g. `create`, `backup`), when any. */
  lock: string | null
  /** Tags, `;`-separated (see `GuestResource::tag_list`). */
  tags: string | null
  /** Resource pool, when a member of one. */
  pool: string | null
}

/** A storage on a node as listed by `GET /cluster/resources`. */
export interface StorageResource {
  /** Resource id, `storage/<node>/<storage>`. */
  id: string
  /** Storage id, e.g. `local-lvm`. */
  storage: string
  /** Node the entry is for. */
  node: string
  /** `available` or `unknown`. */
  status: string | null
  /** Storage plugin, e.g. `dir`, `lvmthin`, `zfspool`. */
  plugintype: string | null
  /** Content types it holds (`images`, `rootdir`, `vztmpl`, ...). */
  content: Array<string>
  /** Shared between nodes. */
  shared: boolean
  /** Used bytes. */
  disk: number | null
  /** Size in bytes. */
  maxdisk: number | null
}

/** One entry of `GET /cluster/status`: the cluster itself (`type: cluster`) or a node. */
export interface ClusterStatusEntry {
  /** `cluster` or `node`. */
  kind: string
  /** `cluster` or `node/<name>`. */
  id: string
  /** Cluster or node name. */
  name: string
  /** Cluster entry: whether the cluster has quorum. */
  quorate: boolean | null
  /** Cluster entry: number of nodes. */
  nodes: number | null
  /** Cluster entry: config version. */
  version: number | null
  /** Node entry: whether the node is online. */
  online: boolean | null
  /** Node entry: whether this is the node that answered. */
  local: boolean | null
  /** Node entry: cluster network address. */
  ip: string | null
  /** Node entry: corosync node id. */
  nodeid: number | null
  /** Node entry: subscription level. */
  level: string | null
}

/** One entry of `GET /nodes/{node}/lxc`. */
export interface LxcSummary {
  /** Container id (a string before PVE 8.2). */
  vmid: number
  /** Hostname. */
  name: string | null
  /** Running state. */
  status: GuestStatus
  /** CPUs available (cores, or the CPU limit, which may be fractional). */
  cpus: number | null
  /** CPU utilisation as a fraction of `cpus`. */
  cpu: number | null
  /** Used memory in bytes. */
  mem: number | null
  /** Memory limit in bytes. */
  maxmem: number | null
  /** Used swap in bytes. */
  swap: number | null
  /** Swap limit in bytes. */
  maxswap: number | null
  /** Used root disk in bytes. */
  disk: number | null
  /** Root disk size in bytes. */
  maxdisk: number | null
  /** Uptime in seconds. */
  uptime: number | null
  /** Bytes received. */
  netin: number | null
  /** Bytes sent. */
  netout: number | null
  /** Bytes read from disk. */
  diskread: number | null
  /** Bytes written to disk. */
  diskwrite: number | null
  /** Init process id; only while running. */
  pid: number | null
  /** Config lock held, when any (`create`, `backup`, `disk`, ...). */
  lock: string | null
  /** Tags, `;`-separated. */
  tags: string | null
  /** Whether it is a template (PVE only sends the key when true). */
  template: boolean
  /** Always `lxc` when present. */
  kind: string | null
  /** Pressure stall: some tasks waiting for CPU (PVE 8.2+). */
  pressurecpusome: number | null
  /** Pressure stall: all tasks waiting for CPU. */
  pressurecpufull: number | null
  /** Pressure stall: some tasks waiting for I/O. */
  pressureiosome: number | null
  /** Pressure stall: all tasks waiting for I/O. */
  pressureiofull: number | null
  /** Pressure stall: some tasks waiting for memory. */
  pressurememorysome: number | null
  /** Pressure stall: all tasks waiting for memory. */
  pressurememoryfull: number | null
}

/** `GET /nodes/{node}/lxc/{vmid}/status/current`. */
export interface LxcStatus {
  /** Container id. */
  vmid: number
  /** Hostname. */
  name: string | null
  /** Running state. */
  status: GuestStatus
  /** Init process id; PVE sends it only while running. */
  pid: number | null
  /** HA state (`{"managed": 0}` when not HA-managed). */
  ha: JsonValue | null
  /** Config lock held, when any. */
  lock: string | null
  /** Tags, `;`-separated. */
  tags: string | null
  /** Whether it is a template. */
  template: boolean
  /** CPUs available. */
  cpus: number | null
  /** CPU utilisation as a fraction of `cpus`. */
  cpu: number | null
  /** Used memory in bytes. */
  mem: number | null
  /** Memory limit in bytes. */
  maxmem: number | null
  /** Used swap in bytes. */
  swap: number | null
  /** Swap limit in bytes. */
  maxswap: number | null
  /** Used root disk in bytes. */
  disk: number | null
  /** Root disk size in bytes. */
  maxdisk: number | null
  /** Uptime in seconds. */
  uptime: number | null
  /** Bytes received. */
  netin: number | null
  /** Bytes sent. */
  netout: number | null
  /** Bytes read from disk. */
  diskread: number | null
  /** Bytes written to disk. */
  diskwrite: number | null
  /** Always `lxc` when present. */
  kind: string | null
  /** Fields this client does not model (pressure stall figures, ...), kept as sent. */
  extra: Record<string, JsonValue>
}

/** `GET /nodes/{node}/lxc/{vmid}/config`.  Indexed keys are collected by index: `net0..` into `nets`, `mp0..` into `mount_points`, `unused0..` into `unused`, `dev0..` into `devices`; each value is PVE's property string as sent. */
export interface LxcConfig {
  /** Hostname. */
  hostname: string | null
  /** OS type, e.g. `debian`, `ubuntu`, `alpine`. */
  ostype: string | null
  /** Architecture, e.g. `amd64`. */
  arch: string | null
  /** CPU cores. */
  cores: number | null
  /** CPU limit (fractional CPUs; PVE sends a string). `0` means no limit. */
  cpulimit: number | null
  /** CPU scheduler weight. */
  cpuunits: number | null
  /** Memory in MiB. */
  memory: number | null
  /** Swap in MiB. */
  swap: number | null
  /** Root volume, e.g. `local-lvm:vm-100-disk-0,size=8G`. */
  rootfs: string | null
  /** Unprivileged container. */
  unprivileged: boolean | null
  /** Start at boot. */
  onboot: boolean | null
  /** Protected from removal. */
  protection: boolean | null
  /** Template flag. */
  template: boolean | null
  /** Feature flags, e.g. `nesting=1,fuse=1`. */
  features: string | null
  /** Tags, `;`-separated. */
  tags: string | null
  /** Free-text notes. */
  description: string | null
  /** DNS servers. */
  nameserver: string | null
  /** DNS search domain. */
  searchdomain: string | null
  /** Startup order and delays. */
  startup: string | null
  /** Timezone. */
  timezone: string | null
  /** Config lock held, when any. */
  lock: string | null
  /** SHA-1 of the config, for optimistic concurrency on updates. */
  digest: string | null
  /** Raw `lxc.*` lines as `(key, value)` pairs, in order. */
  lxc: Array<[string, string]>
  /** Network interfaces by index (`net0` -> 0). */
  nets: Record<string, string>
  /** Mount points by index (`mp0` -> 0). */
  mountPoints: Record<string, string>
  /** Unused volumes by index (`unused0` -> 0). */
  unused: Record<string, string>
  /** Device passthrough by index (`dev0` -> 0). */
  devices: Record<string, string>
  /** Every other key this client does not model, kept as sent. */
  extra: Record<string, JsonValue>
}

/** An API token's metadata (never its secret). */
export interface ApiTokenInfo {
  /** Token name (the part after `!`). Filled from the map key where PVE sends a map. */
  tokenid: string
  /** Free-text comment. */
  comment: string | null
  /** Expiry as Unix seconds; `0` or absent means never. */
  expire: number | null
  /** Privilege separation: the token has only the ACLs granted to the token itself. */
  privsep: boolean | null
}

/** One entry of `GET /access/users`. */
export interface UserEntry {
  /** `name@realm`. */
  userid: string
  /** Whether the account may log in (absent means enabled). */
  enable: boolean | null
  /** Account expiry as Unix seconds; `0` means never. */
  expire: number | null
  /** First name. */
  firstname: string | null
  /** Last name. */
  lastname: string | null
  /** E-mail address. */
  email: string | null
  /** Free-text comment. */
  comment: string | null
  /** Groups the user belongs to (PVE sends a comma-separated string here). */
  groups: Array<string>
  /** API tokens (with `full=1`). */
  tokens: Array<ApiTokenInfo>
  /** Realm type, e.g. `pam` or `pve`. */
  realmType: string | null
  /** Legacy second-factor keys. */
  keys: string | null
  /** TFA lock-out end as Unix seconds, when locked. */
  tfaLockedUntil: number | null
  /** TOTP locked after too many failures. */
  totpLocked: boolean | null
}

/** `GET /access/users/{userid}`: one user (the reply does not repeat the userid). */
export interface UserDetail {
  /** Whether the account may log in (absent means enabled). */
  enable: boolean | null
  /** Account expiry as Unix seconds; `0` means never. */
  expire: number | null
  /** First name. */
  firstname: string | null
  /** Last name. */
  lastname: string | null
  /** E-mail address. */
  email: string | null
  /** Free-text comment. */
  comment: string | null
  /** Groups the user belongs to (a list here). */
  groups: Array<string>
  /** API tokens (PVE sends a map name -> info here). */
  tokens: Array<ApiTokenInfo>
  /** Legacy second-factor keys. */
  keys: string | null
  /** Fields this client does not model, kept as sent. */
  extra: Record<string, JsonValue>
}

/** One entry of `GET /access/acl`. */
export interface AclEntry {
  /** ACL path, e.g. `/vms/100`. */
  path: string
  /** Role granted, e.g. `PVEVMUser`. */
  roleid: string
  /** Whether `ugid` names a user, a group or a token. */
  kind: AclSubject
  /** The user, group or token id. */
  ugid: string
  /** Whether the grant applies below `path` too; absent means yes (PVE's default). See `AclEntry::propagates`. */
  propagate: boolean | null
}

/** One entry of `GET /nodes/{node}/storage`. */
export interface StorageSummary {
  /** Storage id, e.g. `local`. */
  storage: string
  /** Storage plugin, e.g. `dir`, `lvmthin`. */
  kind: string
  /** Content types it holds, from PVE's comma list (order is not stable). */
  content: Array<string>
  /** Currently usable on this node. */
  active: boolean | null
  /** Enabled in the storage configuration. */
  enabled: boolean | null
  /** Shared between nodes. */
  shared: boolean | null
  /** Size in bytes. */
  total: number | null
  /** Used bytes. */
  used: number | null
  /** Available bytes. */
  avail: number | null
  /** Used fraction, 0.0 to 1.0. */
  usedFraction: number | null
}

/** One volume of `GET /nodes/{node}/storage/{storage}/content`. */
export interface StorageContentItem {
  /** Volume id, e.g. `local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`. */
  volid: string
  /** Content type: `vztmpl`, `iso`, `backup`, `rootdir`, `images`, ... */
  content: string
  /** Format: `raw`, `subvol`, `tzst` (a `.tar.zst` template), `vma.zst`, ... */
  format: string
  /** Size in bytes. */
  size: number | null
  /** Bytes actually used (thin volumes). */
  used: number | null
  /** Creation time as Unix seconds. */
  ctime: number | null
  /** Owning guest, for disks and backups. */
  vmid: number | null
  /** Backup notes. */
  notes: string | null
  /** Backup guest type (`lxc`, `qemu`). */
  subtype: string | null
  /** Base volume of a linked clone. */
  parent: string | null
  /** Encryption key fingerprint of a backup, or `1`. */
  encrypted: string | null
  /** Protected from pruning and removal. */
  protected: boolean | null
  /** Last backup verification (`state`, `upid`). */
  verification: JsonValue | null
}

/** `GET /nodes/{node}/tasks/{upid}/status`. */
export interface TaskStatus {
  /** Running or stopped. */
  status: TaskState
  /** `OK`, `WARNINGS: <n>` or the error text; absent while running. See `TaskStatus::exit`. */
  exitstatus: string | null
  /** The task's UPID, exactly as sent (see `TaskStatus::parsed_upid`). */
  upid: string
  /** Node the task runs on. */
  node: string
  /** Worker process id. */
  pid: number
  /** Worker process start in clock ticks. */
  pstart: number
  /** Start as Unix seconds. */
  starttime: number
  /** Task type, e.g. `vzcreate`. */
  taskType: string
  /** Task object id (often a vmid, `""` when none). */
  id: string
  /** User or token that started the task. */
  user: string
}

/** One line of `GET /nodes/{node}/tasks/{upid}/log`. */
export interface TaskLogLine {
  /** Line number, 1-based. */
  n: number
  /** The text (the last line is `TASK OK` or `TASK ERROR: <msg>`). */
  t: string
}

/** One page of a node's task history with the number of all matching tasks. */
export interface TaskList {
  /** The tasks on this page, newest first. */
  tasks: Array<TaskSummary>
  /** How many tasks match in all (PVE's `total`), when the server sent it. */
  total: number | null
}

/** One entry of the task history (`GET /nodes/{node}/tasks`, `GET /cluster/tasks`). */
export interface TaskSummary {
  /** The task's UPID, exactly as sent. */
  upid: string
  /** Node the task ran on. */
  node: string
  /** Worker process id. */
  pid: number | null
  /** Worker process start in clock ticks. */
  pstart: number | null
  /** Start as Unix seconds (`0` if an entry ever lacks it; the UPID holds it too). */
  starttime: number
  /** End as Unix seconds; absent while running. */
  endtime: number | null
  /** Task type, e.g. `vzdestroy`. */
  taskType: string
  /** Task object id (often a vmid, `""` when none). */
  id: string
  /** User or token that started the task. */
  user: string
  /** `RUNNING` while running, else the exit status (`OK`, `WARNINGS: n`, error text). */
  status: string | null
  /** Whether the task's log was saved to the cluster-wide index (PVE sends `"0"`/`"1"`). */
  saved: boolean | null
}

/** One downloadable template of `GET /nodes/{node}/aplinfo` (PVE returns them in random order). */
export interface AplInfoEntry {
  /** File name to download, e.g. `debian-12-standard_12.7-1_amd64.tar.zst`; the `template` parameter of the download call. */
  template: string
  /** Package name, e.g. `debian-12-standard`. */
  package: string
  /** Operating system, e.g. `debian-12`. */
  os: string | null
  /** Package version, e.g. `12.7-1`. */
  version: string | null
  /** `lxc` (or `openvz` on very old catalogues). */
  kind: string | null
  /** `system`, `turnkeylinux`, `mail`, ... */
  section: string | null
  /** One-line summary. */
  headline: string | null
  /** Longer description. */
  description: string | null
  /** Project home page. */
  infopage: string | null
  /** Download URL. */
  location: string | null
  /** Maintainer. */
  maintainer: string | null
  /** MD5 of the file. */
  md5sum: string | null
  /** SHA-512 of the file. */
  sha512sum: string | null
  /** Catalogue the entry came from. */
  source: string | null
  /** Architecture, e.g. `amd64`. */
  architecture: string | null
  /** Management URL template (some TurnKey appliances). */
  manageurl: string | null
}

/** The Proxmox VE version a server runs. */
export interface Version {
  /** Full pve-manager package version, e.g. `7.4-16` or `9.0.3`. */
  version: string
  /** Point release in `x.y` form, e.g. `7.4`. */
  release: string
  /** Short git revision of the build: 8 hex digits up to PVE 8.x, 16 from 9.x. */
  repoid: string
  /** Default console viewer (`applet`, `vv`, `html5`, `xtermjs`) when the datacenter sets one. */
  console: string | null
  /** Fields this client does not model, kept as sent. */
  extra: Record<string, JsonValue>
}

/** One row of a node's `rrddata`. A sample RRD did not record is `null`. */
export interface NodeRrdPoint {
  /** Start of the step as Unix seconds. */
  time: number
  cpu: number | null
  maxcpu: number | null
  iowait: number | null
  loadavg: number | null
  memtotal: number | null
  memused: number | null
  memavailable: number | null
  arcsize: number | null
  swaptotal: number | null
  swapused: number | null
  roottotal: number | null
  rootused: number | null
  netin: number | null
  netout: number | null
  pressurecpusome: number | null
  pressurecpufull: number | null
  pressureiosome: number | null
  pressureiofull: number | null
  pressurememorysome: number | null
  pressurememoryfull: number | null
  /** Metrics this client does not name (newer PVE versions add some), kept as sent. */
  extra: Record<string, JsonValue>
}

/** One row of a container's `rrddata`. A sample RRD did not record is `null`. */
export interface GuestRrdPoint {
  /** Start of the step as Unix seconds. */
  time: number
  cpu: number | null
  maxcpu: number | null
  mem: number | null
  maxmem: number | null
  memhost: number | null
  disk: number | null
  maxdisk: number | null
  netin: number | null
  netout: number | null
  diskread: number | null
  diskwrite: number | null
  pressurecpusome: number | null
  pressurecpufull: number | null
  pressureiosome: number | null
  pressureiofull: number | null
  pressurememorysome: number | null
  pressurememoryfull: number | null
  /** Metrics this client does not name (newer PVE versions add some), kept as sent. */
  extra: Record<string, JsonValue>
}

/** A container found by vmid (`containers().get(vmid)`). */
export interface ContainerInfo {
  vmid: number
  /** The node it lives on. */
  node: string
  status: LxcStatus
  config: LxcConfig
}

/** A user with the containers they hold a role on (`users().get(userid)`). */
export interface User {
  /** `name@realm`. */
  userid: string
  /** The account as PVE describes it. */
  detail: UserDetail
  /** The vmids the user holds a role on (ACL entries on `/vms/<vmid>`), sorted. */
  vmids: number[]
}

/** One container destruction from the task history (`cluster().destroyLog()`). */
export interface DestroyRecord {
  vmid: number
  node: string
  /** Who destroyed it. */
  user: string
  /** Start, Unix seconds. */
  start: number
  /** End, Unix seconds; `null` while running. */
  end: number | null
  outcome: TaskResult
}

/** Where one copy of a template lives. */
export interface TemplateLocation {
  node: string
  storage: string
}

/** One template (by volume id) and every place it can be used from. */
export interface TemplateAvailability {
  /** e.g. `local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`. */
  volid: string
  /** The file name part of the volume id. */
  name: string
  /** Size in bytes, when the storage reported it. */
  size: number | null
  /** Every node and storage holding it, sorted. */
  locations: TemplateLocation[]
}

/** How a task that succeeded ended (`task.wait()`). */
export interface TaskOutcome {
  upid: string
  /** Number of warnings (`WARNINGS: n`); 0 for `OK`. */
  warnings: number
  /** The exit status exactly as PVE reported it. */
  exitStatus: string
}

/** One progress report while waiting for a task: its phase and the new log lines. */
export interface TaskProgress {
  /** `stopped` on the last report. */
  phase: 'running' | 'stopped'
  /** Log lines that appeared since the previous report, in order. */
  newLines: string[]
  /** Time waited so far, in seconds (as in Python). */
  elapsed: number
}

//! THE table: every operation of every handle, declared once (grammar in the crate docs).

/// Expands `$generator! { <the whole table> }`; see the crate documentation for the grammar.
#[macro_export]
macro_rules! operations {
    ($generator:ident) => {
        $generator! {
            /// A Proxmox VE client: the entry point to every handle.
            handle Client(Client) {
                /// The server's Proxmox VE version (`GET /version`).
                io fn version() -> Version, retry Safe, js "version"
                    => |client| client.version().await;
                /// Any API call: `method` GET/POST/PUT/DELETE, `path` below `/api2/json`, each
                /// segment encoded by the core; returns the response's `data` as JSON.
                io fn request(method: Method, path: String, params: Params = Params::new())
                    -> JsonValue, retry AfterCheck, js "request"
                    => |client| client.request(method, &path, params).await;
                /// Logs in as another user and returns their session ticket (a secret), without
                /// touching this client's session.
                io fn login_as(userid: String, password: Secret) -> SessionTicket, retry Safe,
                    js "loginAs"
                    => |client| client.login_as(&userid, password.expose()).await;
                /// The browser URL of a container's noVNC console on this server.
                local fn console_url(node: String, vmid: u32, name: String) -> String, retry Safe,
                    js "consoleUrl"
                    => |client| Ok(client.console_url(&node, vmid, &name));
                /// Logs in as end user `userid` and returns the console URL of container `vmid`
                /// with THEIR session cookie; fails unless they hold `VM.Console` on it.
                io fn console_session_for(userid: String, password: Secret, node: String, vmid: u32)
                    -> ConsoleSession, retry Safe, js "consoleSessionFor"
                    => |client| client.console_session_for(&userid, password.expose(), &node, vmid).await;
                /// The API base URL (ending in `/api2/json`).
                local fn base_url() -> String, retry Safe, js "baseUrl"
                    => |client| Ok(client.base_url().to_string());
                /// The cluster's nodes as a whole.
                local fn nodes() -> NodesApi, retry Safe, js "nodes"
                    => |client| Ok(client.nodes());
                /// One node by name.
                local fn node(name: String) -> NodeApi, retry Safe, js "node"
                    => |client| Ok(client.node(name));
                /// The cluster: resources, quorum, next free id, task history.
                local fn cluster() -> ClusterApi, retry Safe, js "cluster"
                    => |client| Ok(client.cluster());
                /// Containers across the cluster: list, find, create.
                local fn containers() -> ContainersApi, retry Safe, js "containers"
                    => |client| Ok(client.containers());
                /// Templates across the cluster.
                local fn templates() -> TemplatesApi, retry Safe, js "templates"
                    => |client| Ok(client.templates());
                /// Users and their access to containers.
                local fn users() -> UsersApi, retry Safe, js "users"
                    => |client| Ok(client.users());
                /// Tasks across the cluster: history and handles by UPID.
                local fn tasks() -> TasksApi, retry Safe, js "tasks"
                    => |client| Ok(client.tasks());
                /// A handle for the task `upid` (e.g. one started by another process).
                local fn task(upid: String) -> Task, retry Safe, js "task"
                    => |client| Ok(client.task(parse_upid(&upid)?));
                /// Runs one operation on every node at once, each node with its own result:
                /// at most `concurrency` nodes at a time, each abandoned after `per_node_timeout`,
                /// optionally `only` some nodes. Offline nodes are not contacted.
                local fn fan_out(
                    concurrency: usize = DEFAULT_CONCURRENCY,
                    per_node_timeout: Duration = DEFAULT_PER_NODE_TIMEOUT,
                    only: Option<Vec<String>> = None
                ) -> FanOut, retry Safe, js "fanOut"
                    => |client| {
                        let fan_out = client.fan_out().concurrency(concurrency).per_node_timeout(per_node_timeout);
                        Ok(match only { Some(nodes) => fan_out.only(nodes), None => fan_out })
                    };
            }

            /// The cluster's nodes as a whole.
            handle Nodes(NodesApi) {
                /// Every node with its online state, load, memory, uptime and certificate
                /// fingerprint (`GET /nodes`).
                io fn list() -> Vec<NodeSummary>, retry Safe, js "list"
                    => |nodes| nodes.list().await;
                /// The full status of every node at once, each node with its own result
                /// (offline nodes as `NodeUnreachable` errors, not raised).
                io fn status_all() -> PerNode<NodeStatus>, retry Safe, js "statusAll"
                    => |nodes| nodes.status_all().await;
            }

            /// One node.
            handle Node(NodeApi) {
                /// The node's name.
                local fn name() -> String, retry Safe, js "name"
                    => |node| Ok(node.name().to_owned());
                /// Load, CPU, memory, swap, root disk, kernel and PVE versions
                /// (`GET /nodes/{node}/status`).
                io fn status() -> NodeStatus, retry Safe, js "status"
                    => |node| node.status().await;
                /// The node's graph data; missing samples are `None`/`null`.
                io fn rrddata(timeframe: RrdTimeframe, consolidation: RrdConsolidation = RrdConsolidation::Average)
                    -> Vec<NodeRrdPoint>, retry Safe, js "rrddata"
                    => |node| node.rrddata(timeframe, consolidation).await;
                /// The node's storages (`GET /nodes/{node}/storage`).
                io fn storages() -> Vec<StorageSummary>, retry Safe, js "storages"
                    => |node| node.storages().await;
                /// The content of one storage, optionally of one content type (`vztmpl`, ...).
                io fn storage_content(storage: String, content: Option<String> = None)
                    -> Vec<StorageContentItem>, retry Safe, js "storageContent"
                    => |node| node.storage_content(&storage, content.as_deref()).await;
                /// The LXC templates downloaded on this node, across its template storages.
                io fn templates() -> Vec<StorageContentItem>, retry Safe, js "templates"
                    => |node| node.templates().await;
                /// The catalogue of downloadable templates (`GET /nodes/{node}/aplinfo`).
                io fn aplinfo() -> Vec<AplInfoEntry>, retry Safe, js "aplinfo"
                    => |node| node.aplinfo().await;
                /// Downloads a catalogue template into `storage`; returns the download task.
                io fn download_template(storage: String, template: String) -> Task,
                    retry AfterCheck, js "downloadTemplate"
                    => |node| node.download_template(&storage, &template).await;
                /// The containers on this node (`GET /nodes/{node}/lxc`).
                io fn containers() -> Vec<LxcSummary>, retry Safe, js "containers"
                    => |node| node.containers().await;
                /// One container on this node.
                local fn container(vmid: u32) -> ContainerApi, retry Safe, js "container"
                    => |node| Ok(node.container(vmid));
                /// The node's task history, newest first, optionally of one type and guest.
                io fn tasks(task_type: Option<String> = None, vmid: Option<u32> = None)
                    -> Vec<TaskSummary>, retry Safe, js "tasks"
                    => |node| node.tasks(task_type.as_deref(), vmid).await;
                /// One page of the node's task history (`start` entries skipped, at most
                /// `limit`) with PVE's `total` of all matching tasks, for paging.
                io fn task_page(task_type: Option<String> = None, vmid: Option<u32> = None, start: u64 = 0, limit: u64 = 50)
                    -> TaskList, retry Safe, js "taskPage"
                    => |node| node.task_page(task_type.as_deref(), vmid, start, limit).await;
            }

            /// One container on one node.
            handle Container(ContainerApi) {
                /// The container's id.
                local fn vmid() -> u32, retry Safe, js "vmid"
                    => |container| Ok(container.vmid());
                /// The node it lives on.
                local fn node() -> String, retry Safe, js "node"
                    => |container| Ok(container.node().to_owned());
                /// Running or stopped, usage, uptime, lock (`GET .../status/current`).
                io fn status() -> LxcStatus, retry Safe, js "status"
                    => |container| container.status().await;
                /// The configuration (`GET .../config`).
                io fn config() -> LxcConfig, retry Safe, js "config"
                    => |container| container.config().await;
                /// Starts the container; returns the `vzstart` task.
                io fn start() -> Task, retry AfterCheck, js "start"
                    => |container| container.start().await;
                /// Stops it at once, like pulling the plug; returns the `vzstop` task.
                io fn stop() -> Task, retry AfterCheck, js "stop"
                    => |container| container.stop().await;
                /// Asks it to shut down cleanly; returns the `vzshutdown` task.
                io fn shutdown() -> Task, retry AfterCheck, js "shutdown"
                    => |container| container.shutdown().await;
                /// Reboots it; returns the `vzreboot` task.
                io fn reboot() -> Task, retry AfterCheck, js "reboot"
                    => |container| container.reboot().await;
                /// Destroys it with its disks and ACL entries (stopping it first if running);
                /// returns the `vzdestroy` task.
                io fn delete() -> Task, retry AfterCheck, js "delete"
                    => |container| container.delete().await;
                /// The container's graph data; missing samples are `None`/`null`.
                io fn rrddata(timeframe: RrdTimeframe, consolidation: RrdConsolidation = RrdConsolidation::Average)
                    -> Vec<GuestRrdPoint>, retry Safe, js "rrddata"
                    => |container| container.rrddata(timeframe, consolidation).await;
                /// Opens a VNC proxy (websocket); the ticket lives only seconds.
                io fn vnc_proxy() -> VncProxy, retry Safe, js "vncProxy"
                    => |container| container.vnc_proxy().await;
            }

            /// The cluster as a whole.
            handle Cluster(ClusterApi) {
                /// Every node, guest and storage the caller may see, optionally of one kind.
                io fn resources(kind: Option<ResourceKind> = None) -> Vec<ClusterResource>,
                    retry Safe, js "resources"
                    => |cluster| cluster.resources(kind).await;
                /// Quorum and which nodes are online (`GET /cluster/status`).
                io fn status() -> Vec<ClusterStatusEntry>, retry Safe, js "status"
                    => |cluster| cluster.status().await;
                /// The lowest free vmid (not reserved: a creation may still lose it).
                io fn next_id() -> u32, retry Safe, js "nextId"
                    => |cluster| cluster.next_id().await;
                /// The cluster's recent tasks, newest first, narrowed by type, guest and node.
                io fn tasks(task_type: Option<String> = None, vmid: Option<u32> = None, node: Option<String> = None)
                    -> Vec<TaskSummary>, retry Safe, js "tasks"
                    => |cluster| cluster.tasks(&task_filter(task_type, vmid, node)).await;
                /// Every container destruction in the task history, newest first.
                io fn destroy_log() -> Vec<DestroyRecord>, retry Safe, js "destroyLog"
                    => |cluster| cluster.destroy_log().await;
            }

            /// Containers across the cluster.
            handle Containers(ContainersApi) {
                /// Every container the caller may see, in one request.
                io fn list() -> Vec<GuestResource>, retry Safe, js "list"
                    => |containers| containers.list().await;
                /// The node hosting container `vmid`.
                io fn locate(vmid: u32) -> String, retry Safe, js "locate"
                    => |containers| containers.locate(vmid).await;
                /// A handle for container `vmid`, wherever it lives.
                io fn handle(vmid: u32) -> ContainerApi, retry Safe, js "handle"
                    => |containers| containers.handle(vmid).await;
                /// One container with status and configuration.
                io fn get(vmid: u32) -> Container, retry Safe, js "get"
                    => |containers| containers.get(vmid).await;
                /// Creates a container: placed by `placement` on an online node holding the
                /// template and storage when no `node` is given, with the next free vmid when
                /// none is given; `owner` gets `owner_role` on it. Returns the vmid, node and the
                /// `vzcreate` task. Every argument is checked before anything is sent. With an
                /// `idempotency_key`, a repeated creation with the same key returns the container
                /// the first one created instead of creating another.
                io fn create(
                    hostname: String,
                    template: String,
                    storage: String = "local-lvm".into(),
                    disk_gib: u32 = 8,
                    cores: u32 = 1,
                    memory_mib: u32 = 512,
                    swap_mib: u32 = 512,
                    ostype: Option<String> = None,
                    net0: String = proxmox_api_core::api::DEFAULT_NET0.into(),
                    password: Option<Secret> = None,
                    ssh_public_keys: Vec<String> = Vec::new(),
                    unprivileged: bool = true,
                    owner: Option<String> = None,
                    owner_role: String = proxmox_api_core::api::DEFAULT_OWNER_ROLE.into(),
                    node: Option<String> = None,
                    vmid: Option<u32> = None,
                    placement: Placement = Placement::MostFreeMemory,
                    idempotency_key: Option<String> = None
                ) -> CreatedContainer, retry Never, js "create"
                    => |containers| {
                        let mut spec = ContainerSpec::builder()
                            .hostname(hostname)
                            .template(template)
                            .storage(storage)
                            .disk_gib(disk_gib)
                            .cores(cores)
                            .memory_mib(memory_mib)
                            .swap_mib(swap_mib)
                            .net0(net0)
                            .unprivileged(unprivileged)
                            .owner_role(owner_role)
                            .placement(placement);
                        if let Some(ostype) = ostype { spec = spec.ostype(ostype); }
                        if let Some(password) = password { spec = spec.password(password.expose()); }
                        for key in ssh_public_keys { spec = spec.ssh_public_key(key); }
                        if let Some(owner) = owner { spec = spec.owner(owner); }
                        if let Some(node) = node { spec = spec.node(node); }
                        if let Some(vmid) = vmid { spec = spec.vmid(vmid); }
                        let mut create = containers.create(spec.build()?);
                        if let Some(key) = idempotency_key { create = create.idempotency_key(key); }
                        create.send().await
                    };
            }

            /// Templates across the cluster.
            handle Templates(TemplatesApi) {
                /// The downloaded templates of every node, each node with its own result.
                io fn per_node() -> PerNode<Vec<StorageContentItem>>, retry Safe, js "perNode"
                    => |templates| templates.per_node().await;
                /// Every downloaded template merged by volume id, with the nodes and storages
                /// holding it and the nodes that could not be asked.
                io fn list_all() -> TemplateCatalog, retry Safe, js "listAll"
                    => |templates| templates.list_all().await;
            }

            /// Users and their access to containers. No operation returns a password.
            handle Users(UsersApi) {
                /// Every user (`GET /access/users`).
                io fn list() -> Vec<UserEntry>, retry Safe, js "list"
                    => |users| users.list().await;
                /// Every ACL entry (`GET /access/acl`).
                io fn acl() -> Vec<AclEntry>, retry Safe, js "acl"
                    => |users| users.acl().await;
                /// The vmids `userid` holds a role on, sorted.
                io fn vmids(userid: String) -> Vec<u32>, retry Safe, js "vmids"
                    => |users| users.vmids(&userid).await;
                /// One user with the vmids they hold a role on.
                io fn get(userid: String) -> User, retry Safe, js "get"
                    => |users| users.get(&userid).await;
                /// Creates user `username@realm` (password 8 to 64 characters, checked before
                /// sending); returns the new userid.
                io fn create(
                    username: String,
                    password: Secret,
                    realm: String = "pve".into(),
                    email: Option<String> = None,
                    comment: Option<String> = None,
                    firstname: Option<String> = None,
                    lastname: Option<String> = None
                ) -> String, retry Never, js "create"
                    => |users| {
                        let mut create = users.create(username, password.expose()).realm(realm);
                        if let Some(email) = email { create = create.email(email); }
                        if let Some(comment) = comment { create = create.comment(comment); }
                        if let Some(firstname) = firstname { create = create.firstname(firstname); }
                        if let Some(lastname) = lastname { create = create.lastname(lastname); }
                        create.send().await
                    };
                /// Sets a user's password (8 to 64 characters). `confirmation_password` is the
                /// current password of the user this client is logged in as (PVE 8/9 require it as
                /// `confirmation-password`); PVE refuses API tokens here.
                io fn set_password(userid: String, password: Secret, confirmation_password: Secret) -> (), retry Safe, js "setPassword"
                    => |users| users.set_password(&userid, password.expose(), confirmation_password.expose()).await;
                /// Deletes a user and their ACL entries; their containers are left alone.
                io fn delete(userid: String) -> (), retry AfterCheck, js "delete"
                    => |users| users.delete(&userid).await;
                /// Gives `userid` access to container `vmid` with the default role `PVEVMUser`.
                io fn assign(userid: String, vmid: u32) -> (), retry Safe, js "assign"
                    => |users| users.assign(&userid, vmid).await;
                /// Gives `userid` `role` on container `vmid`.
                io fn assign_role(userid: String, vmid: u32, role: String) -> (), retry Safe,
                    js "assignRole"
                    => |users| users.assign_role(&userid, vmid, &role).await;
                /// Removes every role `userid` holds on container `vmid`.
                io fn unassign(userid: String, vmid: u32) -> (), retry Safe, js "unassign"
                    => |users| users.unassign(&userid, vmid).await;
                /// The containers `userid` holds a role on, as the cluster lists them.
                io fn containers(userid: String) -> Vec<GuestResource>, retry Safe, js "containers"
                    => |users| users.containers(&userid).await;
            }

            /// Tasks across the cluster.
            handle Tasks(TasksApi) {
                /// A handle for a task given as UPID text (malformed: an invalid-input error).
                local fn get(upid: String) -> Task, retry Safe, js "get"
                    => |tasks| tasks.get(&upid);
                /// The cluster's recent tasks, newest first, narrowed by type, guest and node.
                io fn list(task_type: Option<String> = None, vmid: Option<u32> = None, node: Option<String> = None)
                    -> Vec<TaskSummary>, retry Safe, js "list"
                    => |tasks| tasks.list(&task_filter(task_type, vmid, node)).await;
            }

            /// A running or finished task (long operations return one).
            handle Task(Task) {
                /// The task's identifier (UPID text).
                local fn upid() -> String, retry Safe, js "upid"
                    => |task| Ok(task.upid().to_string());
                /// The node the task runs on.
                local fn node() -> String, retry Safe, js "node"
                    => |task| Ok(task.node().to_owned());
                /// The task's current status.
                io fn status() -> TaskStatus, retry Safe, js "status"
                    => |task| task.status().await;
                /// Log lines from offset `start` (0-based), at most `limit` of them.
                io fn log_from(start: u64, limit: u64) -> Vec<TaskLogLine>, retry Safe, js "logFrom"
                    => |task| task.log_from(start, limit).await;
                /// The whole log so far.
                io fn log() -> Vec<TaskLogLine>, retry Safe, js "log"
                    => |task| task.log().await;
                /// Waits until the task stops (at most `timeout`, default 10 minutes), calling
                /// `on_progress` with the state and the new log lines after every poll. Returns
                /// the outcome; a failed task raises `TaskFailed`, a timeout `TaskTimeout`.
                io fn wait(timeout: Option<Duration> = None, on_progress: OnProgress = None)
                    -> TaskOutcome, retry Safe, js "wait"
                    => |task| {
                        let mut waiter = task.wait();
                        if let Some(timeout) = timeout { waiter = waiter.max_wait(timeout); }
                        if let Some(callback) = on_progress { waiter = waiter.on_progress(callback); }
                        waiter.run().await
                    };
                /// The same polling as a stream of progress reports (state + new log lines);
                /// a failed or timed-out task ends it with its error.
                local fn progress(timeout: Option<Duration> = None) -> ProgressStream, retry Safe,
                    js "progress"
                    => |task| {
                        let mut waiter = task.wait();
                        if let Some(timeout) = timeout { waiter = waiter.max_wait(timeout); }
                        Ok(Box::pin(waiter.progress()) as ProgressStream)
                    };
            }

            /// One operation on every node at once (from `Client.fan_out`); each returns a map
            /// from node name to that node's result or error.
            handle FanOut(FanOut) {
                /// Every node's full status.
                io fn status() -> PerNode<NodeStatus>, retry Safe, js "status"
                    => |fan_out| fan_out.run(|node| async move { node.status().await }).await;
                /// Every node's storages.
                io fn storages() -> PerNode<Vec<StorageSummary>>, retry Safe, js "storages"
                    => |fan_out| fan_out.run(|node| async move { node.storages().await }).await;
                /// Every node's downloaded templates.
                io fn templates() -> PerNode<Vec<StorageContentItem>>, retry Safe, js "templates"
                    => |fan_out| fan_out.run(|node| async move { node.templates().await }).await;
                /// Every node's containers.
                io fn containers() -> PerNode<Vec<LxcSummary>>, retry Safe, js "containers"
                    => |fan_out| fan_out.run(|node| async move { node.containers().await }).await;
                /// Every node's graph data.
                io fn rrddata(timeframe: RrdTimeframe, consolidation: RrdConsolidation = RrdConsolidation::Average)
                    -> PerNode<Vec<NodeRrdPoint>>, retry Safe, js "rrddata"
                    => |fan_out| fan_out.run(move |node| async move { node.rrddata(timeframe, consolidation).await }).await;
            }
        }
    };
}

/* The public typings of proxmox-api-native: this header (hand-written: JSON shapes, results,
 * error classes, the path builder), ts/models.d.ts (the core's models, camelCase field names)
 * and the classes napi-rs generates from the Rust source. Composed by scripts/build.mjs. */

/** Any JSON value (fields a model keeps as sent). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** A guest's running state: `running`, `stopped`, or what PVE sent. */
export type GuestStatus = 'running' | 'stopped' | (string & {})
/** A node's state as the cluster sees it. */
export type NodeOnlineStatus = 'online' | 'offline' | 'unknown'
/** Whether a task is still running. */
export type TaskState = 'running' | 'stopped'
/** Whether an ACL entry names a user, a group or a token. */
export type AclSubject = 'user' | 'group' | 'token'

/** One entry of `GET /cluster/resources`: a node, a guest (`vmid`), a storage, or a kind this
 * client does not model, as PVE sent it. Tell them apart with `'vmid' in r`, `'storage' in r`. */
export type ClusterResource = NodeResource | GuestResource | StorageResource | { [key: string]: JsonValue }

/** How a task from the history ended: `running`, `OK`, `WARNINGS: <n>` or PVE's failure text. */
export type TaskResult = 'running' | 'OK' | (string & {})

/** The cluster's templates merged by volume id, plus the nodes that could not be asked. */
export interface TemplateCatalog {
  templates: TemplateAvailability[]
  unreachable: Record<string, ProxmoxError>
}

/** One node's result of a fan-out: its value, or its own error (other nodes are unaffected). */
export type NodeResult<T> = { ok: true; value: T } | { ok: false; error: ProxmoxError }
/** Per-node results by node name. */
export type PerNode<T> = Record<string, NodeResult<T>>

/**
 * What `containers().create(spec)` takes: its members are the arguments of the operation table
 * (only `hostname` and `template` required; the core checks everything before sending).
 */
export type ContainerSpec = Parameters<ContainersApi['create']>[0]
/** The optional fields of `users().create(username, password, options)` (`realm`, `email`, ...). */
export type NewUserOptions = NonNullable<Parameters<UsersApi['create']>[2]>

/** The core's stable error codes, prefixed with `PROXMOX_`. */
export type ProxmoxErrorCode =
  | 'PROXMOX_INVALID_INPUT' | 'PROXMOX_AUTHENTICATION' | 'PROXMOX_TFA_REQUIRED'
  | 'PROXMOX_PERMISSION_DENIED' | 'PROXMOX_NOT_FOUND' | 'PROXMOX_INVALID_PARAMETERS'
  | 'PROXMOX_CONFLICT' | 'PROXMOX_NODE_UNREACHABLE' | 'PROXMOX_API' | 'PROXMOX_CONNECT'
  | 'PROXMOX_TIMEOUT' | 'PROXMOX_TLS' | 'PROXMOX_DECODE' | 'PROXMOX_TASK_FAILED'
  | 'PROXMOX_TASK_TIMEOUT'

/**
 * Every failure of this package: `catch (e) { if (e instanceof NotFoundError) ... }`.
 * `retrySafety` says whether repeating the same call is safe: `safe` (it was not sent, or it is a
 * read), `after_check` (a write may have happened: check before repeating), `never`.
 */
export declare class ProxmoxError extends Error {
  constructor(fields: ProxmoxErrorFields)
  readonly name: string
  readonly code: ProxmoxErrorCode
  /** The HTTP status, or `null` when no response came back. */
  readonly status: number | null
  /** Whether the request may have reached the server. */
  readonly sent: boolean
  readonly retrySafety: 'safe' | 'after_check' | 'never'
  /** `retrySafety === 'safe'`. */
  readonly retrySafe: boolean
  /** Parameter -> reason (`InvalidParametersError`, `InvalidInputError`). */
  readonly errors?: Record<string, string>
  readonly expected?: string[]
  readonly presented?: string
  readonly upid?: string
  readonly exitStatus?: string
  readonly logTail?: string[]
  readonly waitedMs?: number
  readonly factors?: string[]
  readonly path?: string
  readonly privilege?: string
}
/** Refused before anything was sent (bad argument); `errors` names the parameter. */
export declare class InvalidInputError extends ProxmoxError {}
/** Wrong credentials or an expired session that could not be renewed. */
export declare class AuthenticationError extends ProxmoxError {}
/** The login needs a second factor; `factors` lists those offered. */
export declare class TfaRequiredError extends ProxmoxError {}
/** 403; `path` and `privilege` say what was missing. */
export declare class PermissionDeniedError extends ProxmoxError {}
/** The object does not exist. */
export declare class NotFoundError extends ProxmoxError {}
/** PVE's 400 with a reason per parameter in `errors`. */
export declare class InvalidParametersError extends ProxmoxError {}
/** Already exists, or locked. */
export declare class ConflictError extends ProxmoxError {}
/** The node is offline or did not answer (595). */
export declare class NodeUnreachableError extends ProxmoxError {}
/** Any other API error status. */
export declare class ApiError extends ProxmoxError {}
/** No connection (never sent: safe to retry). */
export declare class ConnectError extends ProxmoxError {}
/** The request timed out (`sent` says whether it may have arrived). */
export declare class TimeoutError extends ProxmoxError {}
/** Same class as `TimeoutError`, under the Python binding's name. */
export declare const ProxmoxTimeoutError: typeof TimeoutError
/** Certificate verification failed; `expected` and `presented` fingerprints. */
export declare class TlsError extends ProxmoxError {}
/** The response did not have the expected shape; `path` is where. */
export declare class DecodeError extends ProxmoxError {}
/** A waited-for task failed; `upid`, `exitStatus` and `logTail`. */
export declare class TaskFailedError extends ProxmoxError {}
/** A task did not stop within the wait; `upid` and `waitedMs`. */
export declare class TaskTimeoutError extends ProxmoxError {}

/** Parameters of a raw call: `null`/`undefined` values are left out, booleans sent as 1/0. */
export type RequestParams = Record<string, string | number | boolean | Array<string | number | boolean> | null | undefined>

/** Calls on an `ApiPath`: the HTTP methods. */
export interface ApiPathMethods {
  /** `GET` this path; resolves to the response's `data` with PVE's field names. */
  get(params?: RequestParams | null, signal?: AbortSignal): Promise<unknown>
  /** `POST` to this path. */
  post(params?: RequestParams | null, signal?: AbortSignal): Promise<unknown>
  /** `PUT` to this path. */
  put(params?: RequestParams | null, signal?: AbortSignal): Promise<unknown>
  /** `DELETE` this path. */
  delete(params?: RequestParams | null, signal?: AbortSignal): Promise<unknown>
}

/**
 * A path below `/api2/json` built segment by segment, each segment percent-encoded on its own:
 * `client.api.nodes('pve1').lxc(100).status.current.get()`.
 */
export type ApiPath = ApiPathMethods & ((...segments: Array<string | number>) => ApiPath) & {
  readonly [segment: string]: ApiPath
}

export interface Client {
  /** Any endpoint, proxmoxer style: `client.api.nodes('pve1').lxc(100).status.current.get()`. */
  readonly api: ApiPath
}

export interface ProgressStream {
  /** `for await (const progress of task.progress()) ...` */
  [Symbol.asyncIterator](): AsyncIterator<TaskProgress>
}

// The package's ES module entry point: the same objects as the CommonJS entry (index.js).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cjs = require('./index.js')

export default cjs
export const {
  Client, NodesApi, NodeApi, ClusterApi, ContainersApi, ContainerApi, TemplatesApi, UsersApi,
  TasksApi, Task, FanOut, ProgressStream, SessionTicket, VncProxy, ConsoleSession, BrowserCookie, Simulator, startSimulator, operations, modelShapes, listPathsForTesting,
  ProxmoxError, InvalidInputError, AuthenticationError, TfaRequiredError, PermissionDeniedError,
  NotFoundError, InvalidParametersError, ConflictError, NodeUnreachableError, ApiError, ConnectError,
  TimeoutError, ProxmoxTimeoutError, TlsError, DecodeError, TaskFailedError, TaskTimeoutError,
} = cjs

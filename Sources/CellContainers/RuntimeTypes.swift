import CellRuntime
import CellCgroups

// The runtime's value types that the faces (the `cell` command, the API server) name, under
// CellContainers: neither face imports CellRuntime, so the runtime can be split without them.

/// `-m`, `--cpus` and the other limits of `run`, `create` and `update`.
public typealias ResourceLimits = CellCgroups.ResourceLimits

/// A published port as a running container holds it: the host address and port chosen at its start.
public typealias PublishedPort = ContainerSpec.PortMapping

/// What `exec` runs and how: arguments, environment, user, -i, -t, -d.
public typealias ExecOptions = ContainerExec.Options

/// How a foreground `run` or `start -a` is attached: output streams, detach keys, --sig-proxy.
public typealias Attachment = CellRuntime.Attachment

/// Docker's `--detach-keys` sequence.
public typealias DetachKeys = CellRuntime.DetachKeys

/// How an `attach` ended: the container's exit status, or detached by the keys.
public typealias AttachOutcome = ContainerAttach.Outcome

/// One process as `top` shows it.
public typealias ProcessRow = ContainerTop.Row

/// State.Health as the monitor records it: status, failing streak, the last results.
public typealias HealthStatus = CellRuntime.HealthCheck.Status

/// Reaps the detached monitors of a process that outlives them (the API server).
public typealias MonitorReaper = CellRuntime.MonitorReaper

/// The far side of an exec or attach session (the CLI's stdio, an API client's connection).
public typealias SessionPeer = CellRuntime.SessionPeer
public typealias SessionInput = CellRuntime.SessionInput
public typealias SessionOutput = CellRuntime.SessionOutput

/// A path in a container as the Engine API's archive endpoints describe it.
public typealias ContainerPathStat = CellRuntime.ContainerPathStat

/// A container's monitor started before its container exists (`ContainerRunner.startMonitorAhead`).
public typealias PendingMonitor = CellRuntime.PendingMonitor

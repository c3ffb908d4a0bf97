//! Forking a task for one guest, the step every container and QEMU operation ends with: the
//! task runs as the caller, its duration is scaled by the faults, a failure the faults planned
//! for its type is taken, and the guest's config lock is held by it (containers through their
//! effect's `locked_vmid`, VMs for every task).

use super::containers::planned_failure;
use super::guest::GuestKind;
use super::tasks::{task_user, TaskEffect, TaskSpec};
use crate::call::Call;
use crate::state::SimState;

/// What differs between the guest tasks the API forks.
#[derive(Debug)]
pub(crate) struct GuestTaskStart {
    pub kind: GuestKind,
    /// The node the task runs on.
    pub node: usize,
    /// The guest (the UPID's `id`).
    pub vmid: u32,
    /// The UPID's `type` (`vzstart`, `qmsnapshot`, ...).
    pub task_type: &'static str,
    /// Seconds, before `faults.task_duration_scale`.
    pub duration: f64,
    pub effect: TaskEffect,
}

impl GuestTaskStart {
    /// Forks the task with the exit status the faults planned for its type (if any) and no log
    /// yet; returns its UPID.
    pub(crate) fn fork(self, state: &mut SimState, call: &Call) -> String {
        let planned = planned_failure(state, self.task_type);
        self.fork_with(state, call, planned, Vec::new())
    }

    /// Forks the task with an exit status the handler decided (a worker check that fails, or a
    /// planned failure it took earlier) and the log lines it starts with; returns its UPID.
    pub(crate) fn fork_with(
        self,
        state: &mut SimState,
        call: &Call,
        planned_exit: Option<String>,
        log: Vec<String>,
    ) -> String {
        let spec = TaskSpec {
            node: self.node,
            kind: self.task_type,
            id: self.vmid.to_string(),
            user: task_user(call),
            duration: self.duration * state.faults.task_duration_scale,
            effect: self.effect,
            planned_exit,
            log,
            start: None,
        };
        match self.kind {
            GuestKind::Lxc => state.cluster.spawn_task(spec),
            GuestKind::Qemu => state.cluster.spawn_vm_task(self.vmid, spec),
        }
    }
}

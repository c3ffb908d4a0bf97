//! Placement: which node gets a new container when the caller names none.
//!
//! The candidates are the online nodes that hold both the template and the target storage; the
//! policy then picks one by a single measure. Ties go to the node whose name sorts first, so the
//! choice is deterministic.

use std::cmp::Ordering;

/// How to choose a node for a new container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    /// The node with the most free memory (`maxmem - mem`).
    #[default]
    MostFreeMemory,
    /// The node with the lowest CPU usage.
    LeastLoad,
    /// The node with the most free space on the target storage.
    MostFreeDisk,
}

/// What placement knows about one eligible node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeCandidate {
    /// The node's name.
    pub node: String,
    /// Free memory in bytes.
    pub free_memory: u64,
    /// CPU usage, 0.0 to 1.0.
    pub cpu_load: f64,
    /// Free bytes on the target storage.
    pub free_disk: u64,
}

impl Placement {
    /// The best candidate under this policy, or `None` when there is none.
    pub fn choose<'a>(&self, candidates: &'a [NodeCandidate]) -> Option<&'a NodeCandidate> {
        candidates.iter().min_by(|a, b| {
            let better_first = match self {
                // Reverse: more free memory/disk sorts first.
                Placement::MostFreeMemory => b.free_memory.cmp(&a.free_memory),
                Placement::MostFreeDisk => b.free_disk.cmp(&a.free_disk),
                Placement::LeastLoad => a
                    .cpu_load
                    .partial_cmp(&b.cpu_load)
                    .unwrap_or(Ordering::Equal),
            };
            better_first.then_with(|| a.node.cmp(&b.node))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(node: &str, free_memory: u64, cpu_load: f64, free_disk: u64) -> NodeCandidate {
        NodeCandidate {
            node: node.to_owned(),
            free_memory,
            cpu_load,
            free_disk,
        }
    }

    fn nodes() -> Vec<NodeCandidate> {
        vec![
            candidate("pve1", 4 << 30, 0.50, 100 << 30),
            candidate("pve2", 8 << 30, 0.90, 10 << 30),
            candidate("pve3", 2 << 30, 0.05, 500 << 30),
        ]
    }

    #[test]
    fn each_policy_picks_by_its_measure() {
        let nodes = nodes();
        assert_eq!(
            Placement::MostFreeMemory.choose(&nodes).unwrap().node,
            "pve2"
        );
        assert_eq!(Placement::LeastLoad.choose(&nodes).unwrap().node, "pve3");
        assert_eq!(Placement::MostFreeDisk.choose(&nodes).unwrap().node, "pve3");
        assert_eq!(Placement::default(), Placement::MostFreeMemory);
    }

    #[test]
    fn ties_go_to_the_first_name_and_empty_gives_none() {
        let nodes = vec![
            candidate("pve9", 1 << 30, 0.1, 1),
            candidate("pve4", 1 << 30, 0.1, 1),
        ];
        assert_eq!(
            Placement::MostFreeMemory.choose(&nodes).unwrap().node,
            "pve4"
        );
        assert_eq!(Placement::LeastLoad.choose(&nodes).unwrap().node, "pve4");
        assert!(Placement::MostFreeMemory.choose(&[]).is_none());
    }
}

//! Graphics data: `GET /nodes/{node}/rrddata` and `GET /nodes/{node}/lxc/{vmid}/rrddata`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::loose;

/// The span an RRD query covers (`timeframe`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RrdTimeframe {
    /// The last hour, one point a minute.
    Hour,
    /// The last day, one point every 30 minutes.
    Day,
    /// The last week, one point every 3 hours.
    Week,
    /// The last month, one point every 12 hours.
    Month,
    /// The last year, one point a week.
    Year,
}

impl RrdTimeframe {
    /// The wire value: `hour`, `day`, `week`, `month`, `year`.
    pub fn as_str(self) -> &'static str {
        match self {
            RrdTimeframe::Hour => "hour",
            RrdTimeframe::Day => "day",
            RrdTimeframe::Week => "week",
            RrdTimeframe::Month => "month",
            RrdTimeframe::Year => "year",
        }
    }
}

impl fmt::Display for RrdTimeframe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How samples are combined into a point (`cf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RrdConsolidation {
    /// The mean over the step (PVE's default).
    #[default]
    Average,
    /// The maximum over the step.
    Max,
}

impl RrdConsolidation {
    /// The wire value: `AVERAGE` or `MAX`.
    pub fn as_str(self) -> &'static str {
        match self {
            RrdConsolidation::Average => "AVERAGE",
            RrdConsolidation::Max => "MAX",
        }
    }
}

impl fmt::Display for RrdConsolidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! rrd_point {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$fmeta:meta])* $field:ident,)* }
    ) => {
        $(#[$meta])*
        ///
        /// A sample RRD did not record omits its key on the wire; here it is `None`. Values may
        /// arrive as numbers or numeric strings.
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        pub struct $name {
            /// Start of the step as Unix seconds.
            #[serde(deserialize_with = "loose::deserialize_i64")]
            pub time: i64,
            $(
                $(#[$fmeta])*
                #[serde(
                    default,
                    deserialize_with = "loose::deserialize_opt_f64",
                    skip_serializing_if = "Option::is_none"
                )]
                pub $field: Option<f64>,
            )*
            /// Metrics this client does not name (newer PVE versions add some), kept as sent.
            #[serde(flatten)]
            pub extra: BTreeMap<String, serde_json::Value>,
        }
    };
}

rrd_point! {
    /// One row of a container's or VM's `rrddata`.
    GuestRrdPoint {
        /// CPU utilisation as a fraction of `maxcpu`.
        cpu,
        /// CPUs available.
        maxcpu,
        /// Used memory in bytes.
        mem,
        /// Memory limit in bytes.
        maxmem,
        /// Host memory used by the guest in bytes (PVE 9).
        memhost,
        /// Used root disk in bytes.
        disk,
        /// Root disk size in bytes.
        maxdisk,
        /// Bytes per second received.
        netin,
        /// Bytes per second sent.
        netout,
        /// Bytes per second read.
        diskread,
        /// Bytes per second written.
        diskwrite,
        /// Pressure stall: some tasks waiting for CPU (PVE 9).
        pressurecpusome,
        /// Pressure stall: all tasks waiting for CPU.
        pressurecpufull,
        /// Pressure stall: some tasks waiting for I/O.
        pressureiosome,
        /// Pressure stall: all tasks waiting for I/O.
        pressureiofull,
        /// Pressure stall: some tasks waiting for memory.
        pressurememorysome,
        /// Pressure stall: all tasks waiting for memory.
        pressurememoryfull,
    }
}

rrd_point! {
    /// One row of a node's `rrddata`.
    NodeRrdPoint {
        /// CPU utilisation as a fraction.
        cpu,
        /// Logical CPUs.
        maxcpu,
        /// Fraction of time waiting for I/O.
        iowait,
        /// 1-minute load average.
        loadavg,
        /// Total memory in bytes.
        memtotal,
        /// Used memory in bytes.
        memused,
        /// Available memory in bytes (PVE 9).
        memavailable,
        /// ZFS ARC size in bytes (PVE 9).
        arcsize,
        /// Total swap in bytes.
        swaptotal,
        /// Used swap in bytes.
        swapused,
        /// Root filesystem size in bytes.
        roottotal,
        /// Root filesystem used bytes.
        rootused,
        /// Bytes per second received.
        netin,
        /// Bytes per second sent.
        netout,
        /// Pressure stall: some tasks waiting for CPU (PVE 9).
        pressurecpusome,
        /// Pressure stall: all tasks waiting for CPU.
        pressurecpufull,
        /// Pressure stall: some tasks waiting for I/O.
        pressureiosome,
        /// Pressure stall: all tasks waiting for I/O.
        pressureiofull,
        /// Pressure stall: some tasks waiting for memory.
        pressurememorysome,
        /// Pressure stall: all tasks waiting for memory.
        pressurememoryfull,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_samples_are_none_and_strings_are_numbers() {
        let rows: Vec<GuestRrdPoint> = serde_json::from_value(json!([
            {"time": 1700000000},
            {"time": 1700000060, "cpu": "0.25", "maxmem": 536870912, "newmetric": 1}
        ]))
        .unwrap();
        assert_eq!(rows[0].time, 1_700_000_000);
        assert_eq!((rows[0].cpu, rows[0].maxmem), (None, None));
        assert_eq!(rows[1].cpu, Some(0.25));
        assert_eq!(rows[1].maxmem, Some(536_870_912.0));
        assert_eq!(rows[1].extra["newmetric"], 1);
        assert!(serde_json::from_value::<GuestRrdPoint>(json!({"cpu": 1})).is_err());
        assert!(serde_json::from_value::<GuestRrdPoint>(json!({"time": 1, "cpu": "x"})).is_err());
    }

    #[test]
    fn enums_use_the_wire_spelling() {
        assert_eq!(RrdTimeframe::Week.as_str(), "week");
        assert_eq!(
            serde_json::to_string(&RrdTimeframe::Year).unwrap(),
            "\"year\""
        );
        assert_eq!(RrdConsolidation::Max.to_string(), "MAX");
        assert_eq!(
            serde_json::from_str::<RrdConsolidation>("\"AVERAGE\"").unwrap(),
            RrdConsolidation::Average
        );
    }
}

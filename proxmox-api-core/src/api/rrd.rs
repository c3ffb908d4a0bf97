//! Graph (rrd) data helpers shared by nodes and containers.

use crate::models::RrdConsolidation;

/// PVE's `cf` parameter for a consolidation function.
pub(crate) fn cf_param(consolidation: RrdConsolidation) -> &'static str {
    match consolidation {
        RrdConsolidation::Average => "AVERAGE",
        RrdConsolidation::Max => "MAX",
    }
}

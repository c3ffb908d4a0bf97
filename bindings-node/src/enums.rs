//! String arguments that name one of the core's enums, refused before sending when unknown.

use proxmox_api_core::api::ResourceKind;
use proxmox_api_core::models::{RrdConsolidation, RrdTimeframe};
use proxmox_api_core::Error as CoreError;

/// `hour`, `day`, `week`, `month` or `year`.
pub fn timeframe(value: &str) -> Result<RrdTimeframe, CoreError> {
    Ok(match value {
        "hour" => RrdTimeframe::Hour,
        "day" => RrdTimeframe::Day,
        "week" => RrdTimeframe::Week,
        "month" => RrdTimeframe::Month,
        "year" => RrdTimeframe::Year,
        _ => {
            return Err(CoreError::invalid_input(
                "timeframe",
                format!("{value:?} is not one of hour, day, week, month, year"),
            ))
        }
    })
}

/// `AVERAGE` (the default) or `MAX`.
pub fn consolidation(value: Option<&str>) -> Result<RrdConsolidation, CoreError> {
    match value {
        None | Some("AVERAGE") => Ok(RrdConsolidation::Average),
        Some("MAX") => Ok(RrdConsolidation::Max),
        Some(other) => Err(CoreError::invalid_input(
            "cf",
            format!("{other:?} is not one of AVERAGE, MAX"),
        )),
    }
}

/// `vm`, `node`, `storage` or `sdn`.
pub fn resource_kind(value: Option<&str>) -> Result<Option<ResourceKind>, CoreError> {
    Ok(match value {
        None => None,
        Some("vm") => Some(ResourceKind::Vm),
        Some("node") => Some(ResourceKind::Node),
        Some("storage") => Some(ResourceKind::Storage),
        Some("sdn") => Some(ResourceKind::Sdn),
        Some(other) => {
            return Err(CoreError::invalid_input(
                "kind",
                format!("{other:?} is not one of vm, node, storage, sdn"),
            ))
        }
    })
}

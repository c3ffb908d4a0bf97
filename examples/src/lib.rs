//! Shared helpers for the example binaries: formatting for terminal output.

pub mod rest_api;

use std::fmt::Write as _;

/// Bytes in binary units, e.g. `1.5 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Seconds as `3d 4h 5m`.
pub fn human_duration(seconds: u64) -> String {
    let (days, hours, minutes) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60);
    if days > 0 {
        format!("{days}d {hours}h {minutes}m")
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else {
        format!("{minutes}m {}s", seconds % 60)
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS` UTC (the civil-from-days algorithm, no time crate).
pub fn utc_time(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A small bar chart of `values` (missing samples drawn as blanks), `height` rows high, scaled
/// to the largest value, with the scale on the left.
pub fn text_chart(values: &[Option<f64>], height: usize) -> String {
    let height = height.max(1);
    let max = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let mut out = String::new();
    for row in (0..height).rev() {
        // The value a cell must reach to be drawn on this row.
        let threshold = max * (row as f64 + 0.5) / height as f64;
        let label = max * (row as f64 + 1.0) / height as f64;
        let _ = write!(out, "{label:>9.4} |");
        for value in values {
            out.push(match value {
                Some(v) if max > 0.0 && *v >= threshold => '#',
                Some(_) => ' ',
                None => '.',
            });
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{:>9} +{}", "", "-".repeat(values.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_and_durations_read_well() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
        assert_eq!(human_duration(90), "1m 30s");
        assert_eq!(human_duration(3 * 86_400 + 4 * 3600 + 5 * 60), "3d 4h 5m");
        assert_eq!(utc_time(0), "1970-01-01 00:00:00");
        assert_eq!(utc_time(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc_time(1_700_000_013), "2023-11-14 22:13:33");
    }

    #[test]
    fn chart_draws_bars_by_height_and_marks_gaps() {
        let chart = text_chart(&[Some(1.0), Some(0.5), None, Some(0.0)], 2);
        let rows: Vec<&str> = chart.lines().collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[0].ends_with("|# . "), "{chart}");
        assert!(rows[1].ends_with("|##. "), "{chart}");
        assert!(rows[2].ends_with("+----"), "{chart}");
    }
}

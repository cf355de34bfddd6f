//! Time as the app shows it: instants are Unix milliseconds (UTC), shown in local time.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Local, TimeZone};
use openxmpp::im::delay::Timestamp;

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A protocol timestamp in Unix milliseconds.
pub fn timestamp_ms(stamp: &Timestamp) -> i64 {
    stamp
        .unix_seconds()
        .saturating_mul(1000)
        .saturating_add(i64::from(stamp.nanosecond() / 1_000_000))
}

/// Unix milliseconds as a protocol timestamp.
pub fn ms_timestamp(ms: i64) -> Option<Timestamp> {
    let nanos = u32::try_from(ms.rem_euclid(1000) * 1_000_000).ok()?;
    Timestamp::from_unix(ms.div_euclid(1000), nanos)
}

fn local(ms: i64) -> Option<DateTime<Local>> {
    Local.timestamp_millis_opt(ms).single()
}

/// How a message's time is shown: the time of day for today, else the date too.
pub fn format_message_time(ms: i64, now_ms: i64) -> String {
    match (local(ms), local(now_ms)) {
        (Some(at), Some(now)) if at.date_naive() == now.date_naive() => {
            at.format("%H:%M").to_string()
        }
        (Some(at), Some(now)) if at.format("%Y").to_string() == now.format("%Y").to_string() => {
            at.format("%b %-d, %H:%M").to_string()
        }
        (Some(at), _) => at.format("%Y-%m-%d %H:%M").to_string(),
        (None, _) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_milliseconds() {
        let stamp: Timestamp = "2024-05-01T12:34:56.789Z".parse().unwrap();
        let ms = timestamp_ms(&stamp);
        assert_eq!(ms, 1_714_566_896_789);
        assert_eq!(ms_timestamp(ms).unwrap(), stamp);
    }

    #[test]
    fn today_shows_only_the_time() {
        let now = now_ms();
        let shown = format_message_time(now, now);
        assert_eq!(shown.len(), 5, "{shown}");
        let long_ago = format_message_time(0, now);
        assert!(long_ago.starts_with("19"), "{long_ago}");
    }
}

//! When and how often the client reconnects after losing its connection.

use std::time::Duration;

/// Automatic reconnection: exponential backoff with jitter. It never reconnects after a
/// permanent authentication failure, a `conflict` stream error (another session replaced this
/// one), a TLS trust failure, or [`Client::close`](crate::Client::close).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Whether to reconnect at all.
    pub enabled: bool,
    /// The delay before the first attempt.
    pub initial_delay: Duration,
    /// The longest delay between attempts.
    pub max_delay: Duration,
    /// Give up after this many attempts in a row (`None`: never give up).
    pub max_attempts: Option<u32>,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            enabled: true,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_attempts: None,
        }
    }
}

impl ReconnectPolicy {
    /// Never reconnect.
    pub fn disabled() -> Self {
        ReconnectPolicy {
            enabled: false,
            ..ReconnectPolicy::default()
        }
    }

    /// The delay before attempt `attempt` (1-based): `initial_delay · 2^(attempt-1)`, capped at
    /// `max_delay`, then scaled by a random factor in [0.5, 1) so that clients that lost the
    /// same server do not all come back at once. `unit` is a random number in [0, 1).
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let base = self
            .initial_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        base.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0))
    }
}

/// A random number in [0, 1) for jitter.
pub(crate) fn jitter_unit() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_below_it() {
        let policy = ReconnectPolicy {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
            ..ReconnectPolicy::default()
        };
        assert_eq!(policy.delay(1, 1.0), Duration::from_secs(1));
        assert_eq!(policy.delay(2, 1.0), Duration::from_secs(2));
        assert_eq!(policy.delay(4, 1.0), Duration::from_secs(8));
        assert_eq!(policy.delay(5, 1.0), Duration::from_secs(10));
        assert_eq!(policy.delay(500, 1.0), Duration::from_secs(10));
        assert_eq!(policy.delay(3, 0.0), Duration::from_secs(2));
        let unit = jitter_unit();
        assert!((0.0..1.0).contains(&unit));
    }
}

//! How long a machine waits after a failed call before the next, by code, with MCM's table
//! (machine-controller-manager's `ShortRetry`, `LongRetry` and `MediumRetry`): a busy,
//! slow or unreachable engine is tried again in 5 s, an exhausted quota in 10 min, anything
//! else in 3 min. A little jitter keeps machines that failed together from retrying in step.

use std::time::Duration;

use crate::machines::codes::Code;

/// The wait after `Unknown`, `DeadlineExceeded`, `Aborted` or `Unavailable` (MCM's ShortRetry).
pub const SHORT: Duration = Duration::from_secs(5);
/// The wait after `ResourceExhausted` (MCM's LongRetry).
pub const LONG: Duration = Duration::from_secs(10 * 60);
/// The wait after any other code (MCM's MediumRetry).
pub const MEDIUM: Duration = Duration::from_secs(3 * 60);

/// The wait MCM's table gives `code`, before jitter.
pub fn base(code: Code) -> Duration {
    match code {
        Code::Unknown | Code::DeadlineExceeded | Code::Aborted | Code::Unavailable => SHORT,
        Code::ResourceExhausted => LONG,
        _ => MEDIUM,
    }
}

/// How long to wait before the next call after a failure with `code`: [`base`] plus up to
/// a tenth more, drawn at random.
pub fn delay(code: Code) -> Duration {
    let base = base(code);
    let tenth = base.as_millis() as u64 / 10;
    base + Duration::from_millis(rand::random_range(0..=tenth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_mcms_table() {
        for code in [
            Code::Unknown,
            Code::DeadlineExceeded,
            Code::Aborted,
            Code::Unavailable,
        ] {
            assert_eq!(base(code), Duration::from_secs(5), "{code}");
        }
        assert_eq!(base(Code::ResourceExhausted), Duration::from_secs(600));
        for code in [
            Code::InvalidArgument,
            Code::NotFound,
            Code::PermissionDenied,
            Code::Internal,
            Code::OutOfRange,
        ] {
            assert_eq!(base(code), Duration::from_secs(180), "{code}");
        }
    }

    #[test]
    fn jitter_stays_within_a_tenth() {
        for code in Code::ALL {
            for _ in 0..50 {
                let d = delay(code);
                assert!(
                    d >= base(code) && d <= base(code) + base(code) / 10,
                    "{code} {d:?}"
                );
            }
        }
    }
}

//! Exponential back-off per machine, by code: a busy or unreachable engine is tried again
//! soon, a refusal that needs someone to change something is tried again rarely.

use std::time::Duration;

use crate::machines::codes::Code;

/// The first wait after a passing failure (Unavailable, Aborted, DeadlineExceeded).
pub const TRANSIENT_BASE: Duration = Duration::from_secs(2);
/// The first wait after any other failure.
pub const PERMANENT_BASE: Duration = Duration::from_secs(15);
/// The longest wait.
pub const CAP: Duration = Duration::from_secs(300);

/// How long to wait before the next call after the `failures`-th failure in a row (1 for
/// the first), which had `code`.
pub fn delay(code: Code, failures: u32) -> Duration {
    let base = if code.is_transient() {
        TRANSIENT_BASE
    } else {
        PERMANENT_BASE
    };
    let doublings = failures.saturating_sub(1).min(16);
    base.saturating_mul(1 << doublings).min(CAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_a_base_per_code_up_to_a_cap() {
        assert_eq!(delay(Code::Unavailable, 1), Duration::from_secs(2));
        assert_eq!(delay(Code::Unavailable, 2), Duration::from_secs(4));
        assert_eq!(delay(Code::Aborted, 4), Duration::from_secs(16));
        assert_eq!(delay(Code::InvalidArgument, 1), Duration::from_secs(15));
        assert_eq!(delay(Code::ResourceExhausted, 3), Duration::from_secs(60));
        assert_eq!(delay(Code::Unavailable, 40), CAP);
        assert_eq!(delay(Code::Internal, u32::MAX), CAP);
    }
}

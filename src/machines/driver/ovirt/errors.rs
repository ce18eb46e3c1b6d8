//! Engine answers mapped to contract codes, as machines.md lists them.

use crate::machines::codes::{Code, MachineError};
use crate::ovirt::client::EngineError;

/// The contract error for an engine failure.
pub fn from_engine(e: &EngineError) -> MachineError {
    let code = match e {
        EngineError::Transport(_) => Code::Unavailable,
        EngineError::Timeout(_) => Code::DeadlineExceeded,
        EngineError::Login(_) => Code::Unauthenticated,
        EngineError::Malformed { .. } | EngineError::TooLarge { .. } => Code::Internal,
        EngineError::Fault { status, detail, .. } => match status {
            400 | 422 => Code::InvalidArgument,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::NotFound,
            409 if exhausted(detail) => Code::ResourceExhausted,
            409 => Code::Aborted,
            429 => Code::ResourceExhausted,
            s if *s >= 500 => Code::Unavailable,
            _ => Code::Unknown,
        },
    };
    MachineError::new(code, e.to_string())
}

/// Whether a refusal is about space or quota, which waiting does not cure.
fn exhausted(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    [
        "disk space",
        "quota",
        "storage domain is full",
        "not enough",
    ]
    .iter()
    .any(|w| d.contains(w))
}

/// Whether the engine refused because the VM is locked (an image being copied).
pub fn is_locked(e: &MachineError) -> bool {
    e.code == Code::Aborted && e.message.to_ascii_lowercase().contains("locked")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn fault(status: u16, detail: &str) -> EngineError {
        EngineError::Fault {
            status,
            reason: "Operation Failed".into(),
            detail: detail.into(),
        }
    }

    #[test]
    fn engine_answers_map_to_codes() {
        let cases = [
            (fault(404, "Entity not found: x"), Code::NotFound),
            (fault(401, ""), Code::Unauthenticated),
            (fault(403, ""), Code::PermissionDenied),
            (fault(500, ""), Code::Unavailable),
            (fault(503, ""), Code::Unavailable),
            (
                fault(400, "Vm [name] required for add"),
                Code::InvalidArgument,
            ),
            (
                fault(
                    409,
                    "[Cannot run VM. VM is locked. Please try again in a few minutes.]",
                ),
                Code::Aborted,
            ),
            (
                fault(
                    409,
                    "[Cannot add VM. Low disk space on Storage Domain data.]",
                ),
                Code::ResourceExhausted,
            ),
            (EngineError::Transport("refused".into()), Code::Unavailable),
            (
                EngineError::Timeout(Duration::from_secs(1)),
                Code::DeadlineExceeded,
            ),
            (
                EngineError::Login("bad password".into()),
                Code::Unauthenticated,
            ),
            (
                EngineError::Malformed {
                    path: "vms".into(),
                    problem: "eof".into(),
                },
                Code::Internal,
            ),
        ];
        for (e, code) in cases {
            assert_eq!(from_engine(&e).code, code, "{e}");
        }
        assert!(is_locked(&from_engine(&fault(
            409,
            "[Cannot remove VM. VM is locked.]"
        ))));
        assert!(!is_locked(&from_engine(&fault(409, "[VM is running.]"))));
    }
}

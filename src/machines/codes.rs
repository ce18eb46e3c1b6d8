//! The machine-driver contract's error codes, and the one error type every driver method
//! returns.
//!
//! Controllers branch on the code, never on the message; the text form
//! `machine codes error: code = [<CodeName>] message = [<message>]` is what other
//! controllers parse, so [`MachineError`]'s `Display` writes exactly that and nothing else.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A contract code, 0 to 17, in the order and with the names of the contract.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum Code {
    /// 0: not an error.
    OK,
    /// 1: the caller gave up.
    Canceled,
    /// 2: nothing more precise is known.
    Unknown,
    /// 3: the request or the class is wrong.
    InvalidArgument,
    /// 4: the engine did not answer in time.
    DeadlineExceeded,
    /// 5: the VM (or what the class names) does not exist.
    NotFound,
    /// 6: it exists already.
    AlreadyExists,
    /// 7: the engine refused the user.
    PermissionDenied,
    /// 8: quota or storage full.
    ResourceExhausted,
    /// 9: the system is not in a state the operation needs.
    FailedPrecondition,
    /// 10: a conflict (locked VM, concurrent change); try again.
    Aborted,
    /// 11: several VMs match where one was expected.
    OutOfRange,
    /// 12: the driver does not do this.
    Unimplemented,
    /// 13: a bug or an engine answer that makes no sense.
    Internal,
    /// 14: the engine cannot be reached or failed (5xx).
    Unavailable,
    /// 15: data was lost.
    DataLoss,
    /// 16: the engine did not accept the credentials.
    Unauthenticated,
    /// 17: the VM exists but its initialization is not finished.
    Uninitialized,
}

impl Code {
    /// Every code, by number.
    pub const ALL: [Code; 18] = [
        Code::OK,
        Code::Canceled,
        Code::Unknown,
        Code::InvalidArgument,
        Code::DeadlineExceeded,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::ResourceExhausted,
        Code::FailedPrecondition,
        Code::Aborted,
        Code::OutOfRange,
        Code::Unimplemented,
        Code::Internal,
        Code::Unavailable,
        Code::DataLoss,
        Code::Unauthenticated,
        Code::Uninitialized,
    ];

    /// The code's number.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The code of a number, if it is one.
    pub fn from_number(n: u8) -> Option<Code> {
        Code::ALL.get(usize::from(n)).copied()
    }

    /// The contract's name of the code (`NotFound`).
    pub fn name(self) -> &'static str {
        match self {
            Code::OK => "OK",
            Code::Canceled => "Canceled",
            Code::Unknown => "Unknown",
            Code::InvalidArgument => "InvalidArgument",
            Code::DeadlineExceeded => "DeadlineExceeded",
            Code::NotFound => "NotFound",
            Code::AlreadyExists => "AlreadyExists",
            Code::PermissionDenied => "PermissionDenied",
            Code::ResourceExhausted => "ResourceExhausted",
            Code::FailedPrecondition => "FailedPrecondition",
            Code::Aborted => "Aborted",
            Code::OutOfRange => "OutOfRange",
            Code::Unimplemented => "Unimplemented",
            Code::Internal => "Internal",
            Code::Unavailable => "Unavailable",
            Code::DataLoss => "DataLoss",
            Code::Unauthenticated => "Unauthenticated",
            Code::Uninitialized => "Uninitialized",
        }
    }

    /// The code of a name, as [`Code::name`] writes it.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether the failure is the passing kind (the engine busy, slow or away) that a
    /// controller retries soon, rather than one that needs someone to change something.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Code::Unavailable | Code::Aborted | Code::DeadlineExceeded
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A driver error: a contract code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("machine codes error: code = [{code}] message = [{message}]")]
pub struct MachineError {
    /// What kind of failure it is.
    pub code: Code,
    /// What happened, for people.
    pub message: String,
}

impl MachineError {
    /// An error with `code` and `message`.
    pub fn new(code: Code, message: impl Into<String>) -> MachineError {
        MachineError {
            code,
            message: message.into(),
        }
    }

    /// Parses the text form back, as MCM reads a driver's error: a code name it does not
    /// know is `Unknown` (MCM's `StringToCode`), and the message is everything up to the
    /// last `]`, so brackets inside it survive. `None` when the text is not in the form.
    pub fn parse(text: &str) -> Option<MachineError> {
        let rest = text.strip_prefix("machine codes error: code = [")?;
        let (name, rest) = rest.split_once("] message = [")?;
        let message = rest.strip_suffix(']')?;
        Some(MachineError::new(
            Code::from_name(name).unwrap_or(Code::Unknown),
            message,
        ))
    }
}

/// Shorthand for the errors a driver method returns.
pub type DriverResult<T> = Result<T, MachineError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_contract() {
        assert_eq!(Code::OK.number(), 0);
        assert_eq!(Code::NotFound.number(), 5);
        assert_eq!(Code::OutOfRange.number(), 11);
        assert_eq!(Code::Unimplemented.number(), 12);
        assert_eq!(Code::Uninitialized.number(), 17);
        for (n, code) in Code::ALL.iter().enumerate() {
            assert_eq!(usize::from(code.number()), n);
            assert_eq!(Code::from_number(code.number()), Some(*code));
            assert_eq!(Code::from_name(code.name()), Some(*code));
        }
        assert_eq!(Code::from_number(18), None);
    }

    #[test]
    fn renders_exactly_as_the_contract_says() {
        let e = MachineError::new(Code::NotFound, "VM m-1 is gone");
        assert_eq!(
            e.to_string(),
            "machine codes error: code = [NotFound] message = [VM m-1 is gone]"
        );
        assert_eq!(MachineError::parse(&e.to_string()), Some(e));
        let nested = MachineError::new(Code::Aborted, "[Cannot run VM. VM is locked.]");
        assert_eq!(MachineError::parse(&nested.to_string()), Some(nested));
        assert_eq!(MachineError::parse("code = [NotFound]"), None);
        assert_eq!(
            MachineError::parse("machine codes error: code = [Nope] message = [x]"),
            Some(MachineError::new(Code::Unknown, "x"))
        );
        assert_eq!(
            MachineError::parse("machine codes error: code = [Aborted] message = [a [b] ] c [d]]"),
            Some(MachineError::new(Code::Aborted, "a [b] ] c [d]"))
        );
    }
}

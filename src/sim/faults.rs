//! Faults the simulator can be told to inject: latency, errors, 401s, dropped connections
//! and truncated bodies, each at a rate, so the collector's recovery can be tested.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// The faults in force; all off by default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every API answer, in milliseconds.
    pub latency_ms: u64,
    /// Share of API requests answered 500 with a fault body (0.0 to 1.0).
    pub error_rate: f64,
    /// Share answered 401, as if the token had expired.
    pub unauthorized_rate: f64,
    /// Share whose connection is dropped mid-answer.
    pub drop_rate: f64,
    /// Share whose body is cut in half.
    pub truncate_rate: f64,
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer normally.
    None,
    /// 500 with a fault body.
    Error,
    /// 401.
    Unauthorized,
    /// Drop the connection.
    Drop,
    /// Cut the body.
    Truncate,
}

/// A small, fast, seedable random source (splitmix64): fault draws need no cryptography.
#[derive(Debug)]
pub struct Dice(AtomicU64);

impl Dice {
    /// Dice starting from `seed`.
    pub fn new(seed: u64) -> Dice {
        Dice(AtomicU64::new(seed))
    }

    /// A number in [0, 1).
    pub fn roll(&self) -> f64 {
        // A shared splitmix64 state: each roll takes the next step atomically.
        let state = self
            .0
            .fetch_add(super::rng::GAMMA, Ordering::Relaxed)
            .wrapping_add(super::rng::GAMMA);
        super::rng::unit_of(super::rng::finalize(state))
    }
}

impl Faults {
    /// Draws the fault for one request.
    pub fn draw(&self, dice: &Dice) -> Fault {
        let r = dice.roll();
        let mut edge = self.error_rate;
        if r < edge {
            return Fault::Error;
        }
        edge += self.unauthorized_rate;
        if r < edge {
            return Fault::Unauthorized;
        }
        edge += self.drop_rate;
        if r < edge {
            return Fault::Drop;
        }
        edge += self.truncate_rate;
        if r < edge {
            return Fault::Truncate;
        }
        Fault::None
    }
}

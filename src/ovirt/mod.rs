//! The oVirt engine's REST API as vmyard speaks it: the wire conventions ([`wire`]) and an
//! authenticated client ([`client`]) shared by the collector and the machine driver.

pub mod client;
pub mod tls;
pub mod wire;

pub use client::{EngineClient, EngineError};

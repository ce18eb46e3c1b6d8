//! Machines: VMs made and retired on request, keeping the machine-driver contract.
//!
//! - [`codes`]: the contract's error codes and the error type that renders them;
//! - [`commands`]: what people ask (declare and retire classes, machines, sets);
//! - [`model`]: machine classes, machines and machine sets, as the store keeps them;
//! - [`driver`]: the [`driver::Driver`] trait and its oVirt implementation;
//! - [`controller`]: the task that reconciles declared machines and sets with the engine.

pub mod codes;
pub mod commands;
pub mod controller;
pub mod driver;
pub mod model;

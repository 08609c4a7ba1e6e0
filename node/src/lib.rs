//! The AITBC node: Aura block production and GRANDPA finality over the AITBC runtime, with the
//! standard Substrate command line. The binary in `main.rs` only calls [`command::run`].
//!
//! Business logic lives in the runtime's pallets; this crate wires the client together.

pub mod chain_spec;
pub mod cli;
pub mod command;
pub mod rpc;
pub mod service;

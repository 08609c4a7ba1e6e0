//! The node's integration tests use the workspace's end-to-end harness (`tests/src/harness.rs`):
//! start `aitbc-node` processes on loopback ports, talk JSON-RPC over plain HTTP.

#![allow(unused_imports)]

pub use aitbc_e2e::harness::*;

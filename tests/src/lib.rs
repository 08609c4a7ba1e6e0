//! The end-to-end harness: [`harness`] starts the real binaries on loopback, [`backend`] is an
//! Ollama-protocol test server, [`llama`] starts the real llama.cpp server.

pub mod backend;
pub mod gateway;
pub mod harness;
pub mod llama;
pub mod market;

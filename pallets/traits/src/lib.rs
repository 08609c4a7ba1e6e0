//! # AITBC marketplace seams
//!
//! The jobs pallet drives a job through its life; it reaches the other marketplace pallets only
//! through the traits and records of this crate, and the runtime wires the pallets together:
//!
//! - [`MarketParams`]: every governed number, read through `Get<MarketParams<..>>`
//!   (implemented by `pallet-aitbc-params`);
//! - [`JobEscrow`]: hold, settle and refund a job's budget (`pallet-aitbc-escrow`);
//! - [`MinerRegistry`]: select a miner for a job, count its jobs, judge a job's
//!   [`JobOutcome`] (`pallet-aitbc-miners`);
//! - [`ReceiptSink`]: record a [`NewReceipt`] (`pallet-aitbc-receipts`);
//! - [`SignatureVerifier`]: check an operator's sr25519 signature;
//! - [`BenchmarkSetup`] (feature `runtime-benchmarks`): what the jobs benchmarks need from the
//!   rest of the market (money, miners).
//!
//! No pallet crate depends on another marketplace pallet crate; each depends on this one.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod escrow;
mod miners;
mod params;
mod receipts;

pub use escrow::{Budget, JobEscrow, Settlement};
#[cfg(feature = "runtime-benchmarks")]
pub use miners::BenchmarkSetup;
pub use miners::{
	genesis_hash, JobNeeds, JobOutcome, MinerRegistry, MinerTerms, SignatureVerifier,
	Sr25519Verifier,
};
pub use params::MarketParams;
pub use receipts::{NewReceipt, ReceiptSink};

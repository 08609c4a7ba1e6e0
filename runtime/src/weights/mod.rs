//! Weights of polkadot-sdk pallets measured for this runtime on the project's machine by
//! `scripts/gen-weights` (the marketplace pallets keep theirs in `pallets/*/src/weights.rs`).
//! A transfer and the fee charge every transaction pays are weighed on the same machine, with
//! the same database weights, as the jobs they are compared with (docs/BENCHMARKS.md).

// Generated code, from the SDK's template.
#[allow(clippy::all, clippy::unnecessary_cast, unused_parens, unused_imports, missing_docs)]
pub mod frame_system_extensions;
#[allow(clippy::all, clippy::unnecessary_cast, unused_parens, unused_imports, missing_docs)]
pub mod pallet_balances;
#[allow(clippy::all, clippy::unnecessary_cast, unused_parens, unused_imports, missing_docs)]
pub mod pallet_transaction_payment;

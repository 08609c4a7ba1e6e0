//! # AITBC primitives
//!
//! The types the chain, the miner and the CLI must agree on byte for byte, in a crate with no
//! FRAME dependency:
//!
//! - [`Usage`] and [`UnitType`]: what a job consumed, and how it is billed ([`UnitType::units`]);
//! - [`price_for`]: units × unit price, capped at the client's maximum price;
//! - [`ReceiptPayload`] (version 2): what the operator signs when it submits a result, and its
//!   [`signing bytes`](ReceiptPayload::signing_bytes): the chain's genesis hash, the job, the
//!   client, the model, the prompt hash, the output hash, the usage and the price;
//! - [`operator_proof_bytes`]: what an operator key signs to show, at registration, that it is
//!   an sr25519 key its owner controls;
//! - [`verify_receipt`] / [`verify_operator_proof`] (feature `verify`, on by default with
//!   `std`): check those sr25519 signatures off chain, exactly as the pallets check them on chain.
//!
//! Signatures use the sr25519 signing context `substrate`, the one `sp-core`, `subxt-signer` and
//! polkadot-js use, so any of them can produce one.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifier of a job, assigned by the chain in submission order.
pub type JobId = u64;
/// Identifier of a receipt, assigned by the chain in completion order.
pub type ReceiptId = u64;
/// An amount of AIT in its smallest unit (12 decimals).
pub type Balance = u128;
/// A 32-byte blake2-256 hash.
pub type Hash256 = [u8; 32];

/// The most items one listing of the marketplace API (`aitbc_jobs`, `aitbc_miners`,
/// `aitbc_receipts`) returns; a larger `limit` is capped to it.
pub const MAX_LIST_LIMIT: u32 = 1_000;

/// Domain separator prepended to a receipt payload before signing, so that a receipt
/// signature can never be replayed as a signature over anything else. Version 2 binds the
/// genesis hash, the client, the model and the prompt hash (version 1 did not).
pub const RECEIPT_SIGNING_DOMAIN: &[u8] = b"aitbc/receipt/v2";

/// Domain separator of the operator's proof of possession (see [`operator_proof_bytes`]).
pub const OPERATOR_PROOF_DOMAIN: &[u8] = b"aitbc/operator/v1";

/// Domain separator of a client's request for its job's token stream (see
/// [`stream_auth_bytes`]).
pub const STREAM_AUTH_DOMAIN: &[u8] = b"aitbc/stream/v1";

/// The sr25519 signing context (`substrate`), shared with `sp-core` and `subxt-signer`.
pub const SR25519_SIGNING_CONTEXT: &[u8] = b"substrate";

mod market;
pub use market::{FailureReason, JobKind, JobStatus, MinerStatus, UnitType, UnknownName};

/// What a job consumed, as the inference backend reported it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct Usage {
	/// Tokens in the prompt.
	pub prompt_tokens: u32,
	/// Tokens generated.
	pub output_tokens: u32,
	/// Compute time in milliseconds.
	pub compute_ms: u64,
}

/// The price of `units` at `unit_price`, capped at `max_price` (saturating, never overflows).
pub fn price_for(units: u64, unit_price: Balance, max_price: Balance) -> Balance {
	Balance::from(units).saturating_mul(unit_price).min(max_price)
}

/// The blake2-256 hash of a job's output, as receipts record it.
pub fn output_hash(output: &[u8]) -> Hash256 {
	sp_crypto_hashing::blake2_256(output)
}

/// The blake2-256 hash of a job's prompt (its UTF-8 bytes), as receipts record it.
pub fn prompt_hash(prompt: &[u8]) -> Hash256 {
	sp_crypto_hashing::blake2_256(prompt)
}

/// What the assigned operator signs when it submits a job's result (version 2). The chain
/// rebuilds every field from its own state (its genesis hash, the job's client, model and
/// prompt, the price it computes, the hash of the output it stores) and rejects a result whose
/// signature does not cover exactly them. A receipt therefore verifies on one chain only, for
/// one client, one model and one prompt.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ReceiptPayload {
	/// The chain's genesis hash (block 0).
	pub genesis_hash: Hash256,
	/// The job.
	pub job_id: JobId,
	/// The client's 32-byte account id (public key).
	pub client: [u8; 32],
	/// The model id, bytes as submitted.
	pub model: Vec<u8>,
	/// blake2-256 of the prompt bytes.
	pub prompt_hash: Hash256,
	/// blake2-256 of the output bytes.
	pub output_hash: Hash256,
	/// What the job consumed.
	pub usage: Usage,
	/// The price charged, in the smallest unit of AIT.
	pub price: Balance,
}

impl ReceiptPayload {
	/// The exact bytes the operator signs: [`RECEIPT_SIGNING_DOMAIN`] followed by the SCALE
	/// encoding of the payload.
	pub fn signing_bytes(&self) -> Vec<u8> {
		let mut bytes = Vec::with_capacity(RECEIPT_SIGNING_DOMAIN.len().saturating_add(64));
		bytes.extend_from_slice(RECEIPT_SIGNING_DOMAIN);
		self.encode_to(&mut bytes);
		bytes
	}
}

/// The exact bytes an operator key signs at registration (and at rotation) to prove that it is
/// an sr25519 key and consents to run `owner`'s miner on the chain of `genesis_hash`:
/// [`OPERATOR_PROOF_DOMAIN`] followed by the genesis hash and the owner's 32-byte account id.
pub fn operator_proof_bytes(genesis_hash: &Hash256, owner: &[u8; 32]) -> Vec<u8> {
	let mut bytes = Vec::with_capacity(OPERATOR_PROOF_DOMAIN.len().saturating_add(64));
	bytes.extend_from_slice(OPERATOR_PROOF_DOMAIN);
	bytes.extend_from_slice(genesis_hash);
	bytes.extend_from_slice(owner);
	bytes
}

/// The exact bytes a job's client signs to read the job's token stream from the miner it is
/// assigned to (`GET /v1/jobs/{id}/stream`, docs/gateway.md): [`STREAM_AUTH_DOMAIN`] followed
/// by the genesis hash and the job id (little-endian). Only the job's client can make it, and
/// it opens that one job's stream on that one chain.
pub fn stream_auth_bytes(genesis_hash: &Hash256, job_id: JobId) -> Vec<u8> {
	let mut bytes = Vec::with_capacity(STREAM_AUTH_DOMAIN.len().saturating_add(40));
	bytes.extend_from_slice(STREAM_AUTH_DOMAIN);
	bytes.extend_from_slice(genesis_hash);
	bytes.extend_from_slice(&job_id.to_le_bytes());
	bytes
}

/// Checks a client's sr25519 signature over [`stream_auth_bytes`] against its 32-byte public
/// key (account id).
#[cfg(feature = "verify")]
pub fn verify_stream_auth(
	genesis_hash: &Hash256,
	job_id: JobId,
	client: &[u8; 32],
	signature: &[u8; 64],
) -> bool {
	verify_sr25519(&stream_auth_bytes(genesis_hash, job_id), signature, client)
}

#[cfg(feature = "json")]
pub mod json;

/// Checks an operator's sr25519 proof of possession (see [`operator_proof_bytes`]).
#[cfg(feature = "verify")]
pub fn verify_operator_proof(
	genesis_hash: &Hash256,
	owner: &[u8; 32],
	operator: &[u8; 32],
	proof: &[u8; 64],
) -> bool {
	verify_sr25519(&operator_proof_bytes(genesis_hash, owner), proof, operator)
}

#[cfg(feature = "verify")]
fn verify_sr25519(message: &[u8], signature: &[u8; 64], public: &[u8; 32]) -> bool {
	let (Ok(public), Ok(signature)) =
		(schnorrkel::PublicKey::from_bytes(public), schnorrkel::Signature::from_bytes(signature))
	else {
		return false;
	};
	public.verify_simple(SR25519_SIGNING_CONTEXT, message, &signature).is_ok()
}

/// Checks an operator's sr25519 `signature` over `payload` against its 32-byte public key.
#[cfg(feature = "verify")]
pub fn verify_receipt(payload: &ReceiptPayload, signature: &[u8; 64], public: &[u8; 32]) -> bool {
	verify_sr25519(&payload.signing_bytes(), signature, public)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;
	use sp_core::{sr25519, Pair};

	fn payload() -> ReceiptPayload {
		ReceiptPayload {
			genesis_hash: [7; 32],
			job_id: 7,
			client: [1; 32],
			model: b"llama3.2:latest".to_vec(),
			prompt_hash: prompt_hash(b"What is machine learning?"),
			output_hash: output_hash(b"Machine learning is..."),
			usage: Usage { prompt_tokens: 12, output_tokens: 100, compute_ms: 1_250 },
			price: 100 * 1_000_000,
		}
	}

	#[test]
	fn units_follow_the_unit_type() {
		let usage = Usage { prompt_tokens: 5, output_tokens: 42, compute_ms: 2_001 };
		assert_eq!(UnitType::OutputToken.units(&usage), 42);
		assert_eq!(UnitType::GpuSecond.units(&usage), 3);
		assert_eq!(UnitType::GpuSecond.units(&Usage { compute_ms: 2_000, ..usage }), 2);
		assert_eq!(UnitType::GpuSecond.units(&Usage { compute_ms: 0, ..usage }), 0);
	}

	#[test]
	fn price_is_capped_and_never_overflows() {
		assert_eq!(price_for(10, 3, 100), 30);
		assert_eq!(price_for(10, 30, 100), 100);
		assert_eq!(price_for(u64::MAX, Balance::MAX, 5), 5);
	}

	#[test]
	fn signing_bytes_are_domain_then_scale() {
		let p = payload();
		let bytes = p.signing_bytes();
		assert!(bytes.starts_with(RECEIPT_SIGNING_DOMAIN));
		assert_eq!(&bytes[RECEIPT_SIGNING_DOMAIN.len()..], p.encode().as_slice());
		// genesis (32) + job id (8) + client (32) + model (1 + 15) + prompt hash (32)
		// + output hash (32) + usage (4 + 4 + 8) + price (16)
		assert_eq!(p.encode().len(), 184);
	}

	#[test]
	fn a_signature_made_with_sp_core_verifies_off_chain() {
		let pair = sr25519::Pair::from_string("//AitbcOperator", None).unwrap();
		let p = payload();
		let signature = pair.sign(&p.signing_bytes());
		assert!(verify_receipt(&p, &signature.0, &pair.public().0));
		// and sp-core agrees with this crate
		assert!(sr25519::Pair::verify(&signature, p.signing_bytes(), &pair.public()));
	}

	#[test]
	fn a_changed_payload_or_key_fails_verification() {
		let pair = sr25519::Pair::from_string("//AitbcOperator", None).unwrap();
		let other = sr25519::Pair::from_string("//Mallory", None).unwrap();
		let p = payload();
		let signature = pair.sign(&p.signing_bytes()).0;
		assert!(!verify_receipt(
			&ReceiptPayload { price: p.price + 1, ..p.clone() },
			&signature,
			&pair.public().0
		));
		assert!(!verify_receipt(&p, &signature, &other.public().0));
		assert!(!verify_receipt(&p, &[0u8; 64], &pair.public().0));
		// a signature over the bare SCALE bytes (no domain) is refused
		let bare = pair.sign(&p.encode()).0;
		assert!(!verify_receipt(&p, &bare, &pair.public().0));
		// each bound field matters: another chain, client, model or prompt fails
		for other in [
			ReceiptPayload { genesis_hash: [8; 32], ..p.clone() },
			ReceiptPayload { client: [2; 32], ..p.clone() },
			ReceiptPayload { model: b"other".to_vec(), ..p.clone() },
			ReceiptPayload { prompt_hash: prompt_hash(b"another prompt"), ..p.clone() },
		] {
			assert!(!verify_receipt(&other, &signature, &pair.public().0));
		}
	}

	#[test]
	fn an_operator_proof_binds_chain_and_owner() {
		let pair = sr25519::Pair::from_string("//AitbcOperator", None).unwrap();
		let proof = pair.sign(&operator_proof_bytes(&[7; 32], &[1; 32])).0;
		assert!(verify_operator_proof(&[7; 32], &[1; 32], &pair.public().0, &proof));
		assert!(!verify_operator_proof(&[8; 32], &[1; 32], &pair.public().0, &proof));
		assert!(!verify_operator_proof(&[7; 32], &[2; 32], &pair.public().0, &proof));
		// an ed25519 key of the same seed cannot produce it
		let ed = sp_core::ed25519::Pair::from_string("//AitbcOperator", None).unwrap();
		let ed_proof = ed.sign(&operator_proof_bytes(&[7; 32], &[1; 32])).0;
		assert!(!verify_operator_proof(&[7; 32], &[1; 32], &ed.public().0, &ed_proof));
	}
}

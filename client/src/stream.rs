//! The token stream a miner serves for each job assigned to it (`GET /v1/jobs/{id}/stream`,
//! Server-Sent Events), readable only by the job's client: the request carries the client's
//! sr25519 signature over [`aitbc_primitives::stream_auth_bytes`] in [`SIGNATURE_HEADER`].
//!
//! Each SSE message's `data` is one [`StreamEvent`] as JSON: tokens as the backend generates
//! them, then `done` with the backend's token counts, or `error` with the reason the miner
//! reports on chain. The chain still settles the job with the miner's signed result; the stream
//! only lets the client read the text early.

use aitbc_primitives::JobId;
use serde::{Deserialize, Serialize};

use crate::{keys::Key, AccountId};

/// The request header that carries the client's signature, `0x`-hex.
pub const SIGNATURE_HEADER: &str = "x-aitbc-signature";

/// The path of job `job_id`'s stream on a miner's stream server.
pub fn path(job_id: JobId) -> String {
	format!("/v1/jobs/{job_id}/stream")
}

/// One message of a job's stream.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
	/// Text the backend generated, in order; the concatenation of every `token` is the output
	/// the miner submits on chain.
	Token {
		/// The text of this piece (one token or a few).
		text: String,
	},
	/// The generation ended; the miner now submits the signed result.
	Done {
		/// Prompt tokens, as the backend counted them.
		prompt_tokens: u32,
		/// Output tokens, as the backend counted them.
		output_tokens: u32,
	},
	/// The generation failed; the miner reports `reason` on chain and the client is refunded.
	Error {
		/// Why.
		reason: String,
	},
}

/// The [`SIGNATURE_HEADER`] value `key` (the job's client) sends to read job `job_id` on the
/// chain of `genesis_hash`.
pub fn sign(key: &Key, genesis_hash: [u8; 32], job_id: JobId) -> String {
	let message = aitbc_primitives::stream_auth_bytes(&genesis_hash, job_id);
	format!("0x{}", hex::encode(key.sign(&message)))
}

/// Whether `header` (a [`SIGNATURE_HEADER`] value) is `client`'s signature for job `job_id` on
/// the chain of `genesis_hash`.
pub fn verify(header: &str, genesis_hash: [u8; 32], job_id: JobId, client: &AccountId) -> bool {
	let Some(bytes) = header.trim().strip_prefix("0x").and_then(|h| hex::decode(h).ok()) else {
		return false;
	};
	let Ok(signature) = <[u8; 64]>::try_from(bytes) else { return false };
	aitbc_primitives::verify_stream_auth(&genesis_hash, job_id, &client.0, &signature)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_the_clients_signature_for_this_job_and_chain_opens_the_stream() {
		let alice = Key::from_uri("//Alice").unwrap();
		let bob = Key::from_uri("//Bob").unwrap();
		let genesis = [7u8; 32];
		let header = sign(&alice, genesis, 42);
		assert!(verify(&header, genesis, 42, &alice.account()));
		assert!(!verify(&header, genesis, 43, &alice.account()), "another job");
		assert!(!verify(&header, [8u8; 32], 42, &alice.account()), "another chain");
		assert!(!verify(&header, genesis, 42, &bob.account()), "another client");
		assert!(!verify(&sign(&bob, genesis, 42), genesis, 42, &alice.account()));
		for bad in ["", "0x", "0xzz", "00", &header[2..], &header[..100]] {
			assert!(!verify(bad, genesis, 42, &alice.account()), "{bad}");
		}
	}

	#[test]
	fn events_are_tagged_json() {
		let token = StreamEvent::Token { text: "Hi".into() };
		assert_eq!(serde_json::to_string(&token).unwrap(), r#"{"type":"token","text":"Hi"}"#);
		let done: StreamEvent =
			serde_json::from_str(r#"{"type":"done","prompt_tokens":3,"output_tokens":5}"#).unwrap();
		assert_eq!(done, StreamEvent::Done { prompt_tokens: 3, output_tokens: 5 });
	}
}

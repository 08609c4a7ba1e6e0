//! Checking a receipt off chain: the operator's signature over the payload (v2) rebuilt from
//! the receipt and the chain's genesis hash, and that the receipt answers its job (prompt and
//! output hashes).

use aitbc_primitives::{ReceiptPayload, Usage};

use crate::json::{JobJson, ReceiptJson};

/// Whether `receipt`'s signature verifies against its operator's key for the payload (v2)
/// rebuilt from the receipt and `genesis_hash`. A receipt whose accounts do not parse does not
/// verify.
pub fn signature_verifies(receipt: &ReceiptJson, genesis_hash: [u8; 32]) -> bool {
	let (Ok(operator), Ok(client)) =
		(crate::parse_account(&receipt.operator), crate::parse_account(&receipt.client))
	else {
		return false;
	};
	let payload = ReceiptPayload {
		genesis_hash,
		job_id: receipt.job_id,
		client: client.0,
		model: receipt.model.as_bytes().to_vec(),
		prompt_hash: receipt.prompt_hash,
		output_hash: receipt.output_hash,
		usage: Usage {
			prompt_tokens: receipt.usage.prompt_tokens,
			output_tokens: receipt.usage.output_tokens,
			compute_ms: receipt.usage.compute_ms,
		},
		price: receipt.price,
	};
	aitbc_primitives::verify_receipt(&payload, &receipt.signature, &operator.0)
}

/// Whether `receipt` is the verified receipt of `job`: its signature verifies
/// ([`signature_verifies`]), it names the job, and its output and prompt hashes are those of
/// the job's output and prompt.
pub fn verify_receipt(receipt: &ReceiptJson, job: &JobJson, genesis_hash: [u8; 32]) -> bool {
	let output = job.output.as_deref().unwrap_or_default();
	receipt.job_id == job.id
		&& receipt.output_hash == aitbc_primitives::output_hash(output.as_bytes())
		&& receipt.prompt_hash == aitbc_primitives::prompt_hash(job.prompt.as_bytes())
		&& signature_verifies(receipt, genesis_hash)
}

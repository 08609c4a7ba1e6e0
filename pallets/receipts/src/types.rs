//! Receipt records.

use aitbc_primitives::{Hash256, JobId, ReceiptId, ReceiptPayload, UnitType, Usage};
pub use aitbc_traits::{NewReceipt, ReceiptSink};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Whether a receipt's reward was claimed.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub enum ReceiptStatus<AccountId, BlockNumber, Balance> {
	/// Not claimed yet.
	Unclaimed,
	/// Claimed at block `at` by `by`, minting `reward`.
	Claimed { at: BlockNumber, by: AccountId, reward: Balance },
}

/// The receipt of a completed job.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct ReceiptRecord<AccountId, Balance, BlockNumber, Model> {
	/// Receipt id.
	pub id: ReceiptId,
	/// The job.
	pub job_id: JobId,
	/// Who paid.
	pub client: AccountId,
	/// The miner's owner, who was paid and may claim the reward.
	pub miner_owner: AccountId,
	/// The operator key that ran the job and signed.
	pub operator: AccountId,
	/// The model the job asked for.
	pub model: Model,
	/// blake2-256 of the job's prompt.
	pub prompt_hash: Hash256,
	/// How the job was billed.
	pub unit_type: UnitType,
	/// Price per unit.
	pub unit_price: Balance,
	/// Units billed.
	pub units: u64,
	/// What the job consumed.
	pub usage: Usage,
	/// Price charged (units × unit price, capped at the job's maximum price).
	pub price: Balance,
	/// Protocol fee out of the price, paid to the treasury.
	pub fee: Balance,
	/// blake2-256 of the output.
	pub output_hash: Hash256,
	/// Block the job completed in.
	pub block: BlockNumber,
	/// Wall-clock time of that block, milliseconds since the Unix epoch.
	pub timestamp_ms: u64,
	/// The operator's sr25519 signature over the [`ReceiptPayload`].
	pub signature: [u8; 64],
	/// Claim status.
	pub status: ReceiptStatus<AccountId, BlockNumber, Balance>,
}

impl<AccountId: AsRef<[u8; 32]>, Balance: Copy + Into<u128>, BlockNumber, Model: AsRef<[u8]>>
	ReceiptRecord<AccountId, Balance, BlockNumber, Model>
{
	/// The payload (v2) the operator signed, rebuilt from the receipt and the chain's genesis
	/// hash.
	pub fn payload(&self, genesis_hash: Hash256) -> ReceiptPayload {
		ReceiptPayload {
			genesis_hash,
			job_id: self.job_id,
			client: *self.client.as_ref(),
			model: self.model.as_ref().to_vec(),
			prompt_hash: self.prompt_hash,
			output_hash: self.output_hash,
			usage: self.usage,
			price: self.price.into(),
		}
	}
}

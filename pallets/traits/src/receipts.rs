//! The receipt seam: what a completed job leaves behind.

use aitbc_primitives::{Hash256, JobId, ReceiptId, UnitType, Usage};

/// What the jobs pallet hands over to record a receipt.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NewReceipt<AccountId, Balance> {
	/// The job.
	pub job_id: JobId,
	/// Who paid.
	pub client: AccountId,
	/// The miner's owner, who was paid.
	pub miner_owner: AccountId,
	/// The operator key that ran the job and signed.
	pub operator: AccountId,
	/// The model the job asked for.
	pub model: alloc::vec::Vec<u8>,
	/// blake2-256 of the prompt.
	pub prompt_hash: Hash256,
	/// How the job was billed.
	pub unit_type: UnitType,
	/// Price per unit.
	pub unit_price: Balance,
	/// Units billed.
	pub units: u64,
	/// What the job consumed.
	pub usage: Usage,
	/// What the client paid.
	pub price: Balance,
	/// The protocol fee out of the price.
	pub fee: Balance,
	/// blake2-256 of the output.
	pub output_hash: Hash256,
	/// The operator's signature over the receipt payload.
	pub signature: [u8; 64],
}

/// Where the jobs pallet writes receipts.
pub trait ReceiptSink<AccountId, Balance> {
	/// Records a receipt and returns its id.
	fn issue(receipt: NewReceipt<AccountId, Balance>) -> ReceiptId;
}

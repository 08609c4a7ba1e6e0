//! The escrow seam: a job's budget on hold.

use aitbc_primitives::JobId;
use sp_runtime::{DispatchError, DispatchResult};

/// How a settled budget was split.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Settlement<Balance> {
	/// Paid to the miner: the price minus the fee.
	pub to_miner: Balance,
	/// Paid to the treasury.
	pub fee: Balance,
	/// Returned to the client: the budget minus the price.
	pub refunded: Balance,
}

/// What the jobs pallet needs from an escrow.
pub trait JobEscrow<AccountId, Balance> {
	/// Puts `amount` of `client`'s free balance on hold for `job`.
	fn hold(job: JobId, client: &AccountId, amount: Balance) -> DispatchResult;
	/// Pays `price` out of `job`'s budget (`fee` of it to the treasury, the rest to `miner`)
	/// and returns what remains to the client. `price` must not exceed the budget.
	fn settle(
		job: JobId,
		miner: &AccountId,
		price: Balance,
		fee: Balance,
	) -> Result<Settlement<Balance>, DispatchError>;
	/// Returns `job`'s whole budget to the client; returns the amount.
	fn refund(job: JobId) -> Result<Balance, DispatchError>;
	/// The budget held for `job`, if any.
	fn held(job: JobId) -> Option<Balance>;
}

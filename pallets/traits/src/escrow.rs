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

/// A job's budget: who put how much on hold. The jobs pallet keeps it in the job's record
/// (client and `max_price`); the escrow keeps only the holds and their total, so a job's
/// budget costs no storage item of its own.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Budget<'a, AccountId, Balance> {
	/// The job.
	pub job: JobId,
	/// The client whose balance is on hold.
	pub client: &'a AccountId,
	/// How much is on hold.
	pub amount: Balance,
}

/// What the jobs pallet needs from an escrow. The caller settles or refunds each budget it
/// held exactly once (the job's state says whether it has); the escrow refuses to move more
/// than the client has on hold.
pub trait JobEscrow<AccountId, Balance> {
	/// Puts the budget's amount of the client's free balance on hold.
	fn hold(budget: Budget<'_, AccountId, Balance>) -> DispatchResult;
	/// Pays `price` out of the budget (`fee` of it to the treasury, the rest to `miner`) and
	/// returns what remains to the client. `price` must not exceed the budget.
	fn settle(
		budget: Budget<'_, AccountId, Balance>,
		miner: &AccountId,
		price: Balance,
		fee: Balance,
	) -> Result<Settlement<Balance>, DispatchError>;
	/// Returns the whole budget to the client; returns the amount.
	fn refund(budget: Budget<'_, AccountId, Balance>) -> Result<Balance, DispatchError>;
	/// What `client` has on hold for all its open budgets.
	fn held_by(client: &AccountId) -> Balance;
	/// What all open budgets hold together.
	fn total_held() -> Balance;
}

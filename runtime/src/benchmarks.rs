//! The pallets `aitbc-node benchmark pallet` can measure (`scripts/gen-weights`).

frame_benchmarking::define_benchmarks!(
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_aitbc_params, Params]
	[pallet_aitbc_miners, Miners]
	[pallet_aitbc_receipts, Receipts]
	[pallet_aitbc_jobs, Jobs]
	[pallet_aitbc_validators, ValidatorSet]
);

/// Fees go to the treasury account through the currency adapter; nothing to set up.
impl pallet_transaction_payment::BenchmarkConfig for crate::Runtime {}

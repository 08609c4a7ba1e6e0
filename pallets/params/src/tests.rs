//! Tests of `pallet_aitbc_params`.

use crate::{mock::*, Error, Event, MarketParams, Parameters};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Perbill};

#[test]
fn defaults_apply_until_governance_sets_parameters() {
	new_test_ext().execute_with(|| {
		assert_eq!(Parameters::<Test>::get(), defaults());
	});
}

#[test]
fn root_sets_valid_parameters() {
	new_test_ext().execute_with(|| {
		let params = MarketParams { protocol_fee: Perbill::from_percent(2), ..defaults() };
		assert_ok!(Params::set_parameters(RuntimeOrigin::root(), params.clone()));
		assert_eq!(Parameters::<Test>::get(), params.clone());
		System::assert_last_event(Event::ParametersSet { params }.into());
	});
}

#[test]
fn only_the_governance_origin_sets_parameters() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Params::set_parameters(RuntimeOrigin::signed(1), defaults()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn invalid_parameters_are_refused_with_their_reason() {
	new_test_ext().execute_with(|| {
		let cases = [
			(MarketParams { ack_timeout: 0, ..defaults() }, Error::<Test>::ZeroTimeout),
			(MarketParams { retention_period: 0, ..defaults() }, Error::<Test>::ZeroTimeout),
			(MarketParams { default_ttl: 2_000, ..defaults() }, Error::<Test>::DefaultTtlAboveMax),
			(MarketParams { queue_timeout: 1_800, ..defaults() }, Error::<Test>::TimeoutAboveTtl),
			(MarketParams { max_open_jobs_per_client: 0, ..defaults() }, Error::<Test>::ZeroLimit),
			(MarketParams { min_tokens_per_second: 0, ..defaults() }, Error::<Test>::ZeroLimit),
			(MarketParams { jail_period: 0, ..defaults() }, Error::<Test>::ZeroTimeout),
			(MarketParams { receipt_retention: 0, ..defaults() }, Error::<Test>::ZeroTimeout),
			(
				MarketParams { receipt_retention: 49, ..defaults() },
				Error::<Test>::ReceiptRetentionBelowJobRetention,
			),
		];
		for (params, error) in cases {
			assert_noop!(Params::set_parameters(RuntimeOrigin::root(), params), error);
		}
	});
}

#[test]
fn parameters_that_reopen_attacks_are_refused() {
	new_test_ext().execute_with(|| {
		// ack 5 + min result 10 + 2: a default TTL of 16 would leave default jobs no window
		let ok = MarketParams { default_ttl: 17, ..defaults() };
		assert_ok!(Params::set_parameters(RuntimeOrigin::root(), ok));
		let cases = [
			(MarketParams { default_ttl: 16, ..defaults() }, Error::<Test>::DefaultTtlBelowWindow),
			(MarketParams { max_assign_attempts: 4, ..defaults() }, Error::<Test>::TooManyAttempts),
			(
				MarketParams { reward_fee_share: Perbill::one(), ..defaults() },
				Error::<Test>::RewardShareNotBelowFee,
			),
		];
		for (params, error) in cases {
			assert_noop!(Params::set_parameters(RuntimeOrigin::root(), params), error);
		}
		Emitted::set(5_000);
		assert_noop!(
			Params::set_parameters(
				RuntimeOrigin::root(),
				MarketParams { emission_cap: 4_999, ..defaults() }
			),
			Error::<Test>::EmissionCapBelowEmitted
		);
		assert_ok!(Params::set_parameters(
			RuntimeOrigin::root(),
			MarketParams { emission_cap: 5_000, ..defaults() }
		));
	});
}

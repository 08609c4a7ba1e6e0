use crate::{mock::*, Error, Event, SessionLength, SetChanged, Validators};
use frame_support::{
	assert_noop, assert_ok,
	traits::{EstimateNextSessionRotation, Hooks},
};
use pallet_session::{SessionManager, ShouldEndSession};
use sp_runtime::{BuildStorage, DispatchError, Permill};

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

/// Runs `f` in a fresh externality and checks the pallet's invariants after it.
fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		ValidatorSet::integrity_test();
		ValidatorSet::do_try_state().expect("invariants hold");
	});
}

fn planned() -> Vec<u64> {
	crate::Pallet::<Test>::planned().into_inner()
}

#[test]
fn the_first_change_starts_from_the_sessions_set() {
	test(|| {
		assert!(Validators::<Test>::get().is_empty());
		assert_eq!(planned(), vec![1, 2, 3]);
		// Nothing changed: the session keeps its set.
		assert_eq!(ValidatorSet::new_session(2), None);

		assert_ok!(ValidatorSet::add_validator(root(), 4));
		assert_eq!(Validators::<Test>::get().into_inner(), vec![1, 2, 3, 4]);
		System::assert_last_event(Event::ValidatorAdded { who: 4 }.into());
	});
}

#[test]
fn a_change_is_queued_once_at_the_next_rotation() {
	test(|| {
		assert_ok!(ValidatorSet::add_validator(root(), 4));
		assert_ok!(ValidatorSet::remove_validator(root(), 1));
		assert_eq!(ValidatorSet::new_session(3), Some(vec![2, 3, 4]));
		System::assert_last_event(Event::ValidatorSetQueued { session: 3, validators: 3 }.into());
		assert!(!SetChanged::<Test>::get());
		// Later rotations keep the queued set until the next change.
		assert_eq!(ValidatorSet::new_session(4), None);
		// The genesis set is the session's own.
		assert_eq!(ValidatorSet::new_session_genesis(0), None);
	});
}

#[test]
fn only_the_admin_origin_changes_the_set() {
	test(|| {
		for call in [
			ValidatorSet::add_validator(RuntimeOrigin::signed(4), 4),
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 2),
			ValidatorSet::set_session_length(RuntimeOrigin::signed(1), 20),
		] {
			assert_eq!(call, Err(DispatchError::BadOrigin));
		}
		assert!(Validators::<Test>::get().is_empty());
		assert!(!SetChanged::<Test>::get());
	});
}

#[test]
fn adding_needs_keys_a_new_member_and_room() {
	test(|| {
		assert_noop!(ValidatorSet::add_validator(root(), 9), Error::<Test>::NoSessionKeys);
		assert_noop!(ValidatorSet::add_validator(root(), 2), Error::<Test>::AlreadyValidator);
		assert_ok!(ValidatorSet::add_validator(root(), 4));
		assert_ok!(ValidatorSet::add_validator(root(), 5));
		KEYED.with(|k| k.borrow_mut().push(6));
		assert_noop!(ValidatorSet::add_validator(root(), 6), Error::<Test>::TooManyValidators);
		assert_eq!(planned(), vec![1, 2, 3, 4, 5]);
	});
}

#[test]
fn removing_never_goes_below_the_minimum() {
	test(|| {
		assert_noop!(ValidatorSet::remove_validator(root(), 7), Error::<Test>::NotValidator);
		assert_ok!(ValidatorSet::remove_validator(root(), 3));
		System::assert_last_event(Event::ValidatorRemoved { who: 3 }.into());
		assert_noop!(ValidatorSet::remove_validator(root(), 2), Error::<Test>::TooFewValidators);
		assert_noop!(ValidatorSet::remove_validator(root(), 3), Error::<Test>::NotValidator);
		assert_eq!(planned(), vec![1, 2]);
	});
}

#[test]
fn a_removed_validator_can_come_back() {
	test(|| {
		assert_ok!(ValidatorSet::remove_validator(root(), 3));
		assert_ok!(ValidatorSet::add_validator(root(), 3));
		assert_eq!(ValidatorSet::new_session(2), Some(vec![1, 2, 3]));
	});
}

#[test]
fn sessions_end_at_multiples_of_the_length() {
	test(|| {
		assert_eq!(SessionLength::<Test>::get(), 10);
		let ends: Vec<u64> = (1..=30).filter(|n| ValidatorSet::should_end_session(*n)).collect();
		assert_eq!(ends, vec![10, 20, 30]);
		assert_eq!(ValidatorSet::estimate_next_session_rotation(13).0, Some(20));
		assert_eq!(ValidatorSet::estimate_next_session_rotation(20).0, Some(30));
		assert_eq!(
			ValidatorSet::estimate_current_session_progress(14).0,
			Some(Permill::from_percent(50))
		);
		assert_eq!(ValidatorSet::average_session_length(), 10);
	});
}

#[test]
fn the_session_length_is_governed_within_its_range() {
	test(|| {
		for bad in [0, 4, 1_001, u64::MAX] {
			assert_noop!(
				ValidatorSet::set_session_length(root(), bad),
				Error::<Test>::SessionLengthOutOfRange
			);
		}
		assert_ok!(ValidatorSet::set_session_length(root(), 25));
		System::assert_last_event(Event::SessionLengthSet { blocks: 25 }.into());
		assert!(ValidatorSet::should_end_session(50));
		assert!(!ValidatorSet::should_end_session(40));
		assert_ok!(ValidatorSet::set_session_length(root(), 1_000));
		assert_ok!(ValidatorSet::set_session_length(root(), 5));
	});
}

#[test]
fn genesis_sets_the_length() {
	let storage = RuntimeGenesisConfig {
		validator_set: crate::GenesisConfig { session_length: Some(7) },
		..Default::default()
	}
	.build_storage()
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!(SessionLength::<Test>::get(), 7);
	});
}

#[test]
#[should_panic(expected = "genesis session length out of the allowed range")]
fn genesis_refuses_a_length_out_of_range() {
	let _ = RuntimeGenesisConfig {
		validator_set: crate::GenesisConfig { session_length: Some(1) },
		..Default::default()
	}
	.build_storage();
}

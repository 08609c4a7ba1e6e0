//! The `Origins` pallet: the origins that referenda on each track dispatch with, and the
//! governance timing (which set of periods this chain runs).
//!
//! A referendum on a track is enacted with that track's origin: `market_params` with
//! [`Origin::MarketParams`], which may set the marketplace parameters and nothing else, and so
//! on. The `root` track dispatches as Root.

// FRAME's macro expansion calls `expect`.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet_origins {
	use crate::Balance;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The origin a referendum on a non-root track is enacted with: one per track.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// May set the marketplace parameters (`Params::set_parameters`).
		MarketParams,
		/// May ban and unban miners, reverse slashes and end jails.
		MinerAdmin,
		/// May add and remove validators and set the session length.
		ValidatorAdmin,
		/// May spend up to [`SMALL_SPEND`] from the treasury per spend.
		SmallSpender,
		/// May spend up to [`BIG_SPEND`] from the treasury per spend.
		BigSpender,
		/// May dispatch a call the technical committee whitelisted, as Root.
		WhitelistedCaller,
		/// May cancel a referendum (its deposits are returned).
		ReferendumCanceller,
		/// May kill a referendum (its deposits are slashed to the treasury).
		ReferendumKiller,
	}

	/// The largest treasury spend of the `small_spender` track: 10,000 AIT.
	pub const SMALL_SPEND: Balance = 10_000 * crate::UNIT;
	/// The largest treasury spend of the `big_spender` track: 100,000 AIT.
	pub const BIG_SPEND: Balance = 100_000 * crate::UNIT;

	/// Which set of governance periods a chain runs (see `tracks.rs` and `docs/governance.md`).
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		Default,
		MaxEncodedLen,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		Debug,
		serde::Serialize,
		serde::Deserialize,
	)]
	pub enum Timing {
		/// Periods sized for a public chain with 2-second blocks (days to decide).
		#[default]
		Production,
		/// Periods of a few blocks, so that a referendum passes in about a minute on a
		/// development chain.
		Development,
	}

	/// The governance periods this chain runs. Production unless the genesis preset says
	/// otherwise; only Root (the `root` track) may change it.
	#[pallet::storage]
	pub type GovernanceTiming<T> = StorageValue<_, Timing, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The periods the chain starts with.
		pub timing: Timing,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			GovernanceTiming::<T>::put(self.timing);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Root switched the governance periods.
		TimingSet { timing: Timing },
	}

	#[pallet::extra_constants]
	impl<T: Config> Pallet<T> {
		/// The largest treasury spend a `small_spender` referendum may make.
		#[pallet::constant_name(SmallSpend)]
		fn small_spend() -> Balance {
			SMALL_SPEND
		}

		/// The largest treasury spend a `big_spender` referendum may make.
		#[pallet::constant_name(BigSpend)]
		fn big_spend() -> Balance {
			BIG_SPEND
		}
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Development periods are only set by a development chain's genesis preset.
		DevelopmentOnlyAtGenesis,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Switches the governance periods to production. Referenda under way keep their state
		/// and continue under the new periods (one deciding longer than its track's new
		/// decision period ends at its next alarm), and vote locks not yet removed are measured
		/// in the new locking period. Development periods are only set at genesis: a public
		/// chain cannot be switched to them.
		///
		/// Origin: Root. Emits [`Event::TimingSet`].
		#[pallet::call_index(0)]
		// A validated write of the (larger) marketplace parameters, measured: it covers the
		// write of one small value.
		#[pallet::weight(<pallet_aitbc_params::weights::SubstrateWeight<crate::Runtime> as pallet_aitbc_params::WeightInfo>::set_parameters())]
		pub fn set_timing(origin: OriginFor<T>, timing: Timing) -> DispatchResult {
			ensure_root(origin)?;
			ensure!(timing == Timing::Production, Error::<T>::DevelopmentOnlyAtGenesis);
			GovernanceTiming::<T>::put(timing);
			Self::deposit_event(Event::TimingSet { timing });
			Ok(())
		}
	}

	/// Declares an `EnsureOrigin` that accepts exactly the custom origin of the same name.
	macro_rules! ensure_track_origin {
		($($name:ident),* $(,)?) => { $(
			#[doc = concat!("Accepts [`Origin::", stringify!($name), "`].")]
			pub struct $name;
			impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for $name
			where
				for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
			{
				type Success = ();
				fn try_origin(o: O) -> Result<Self::Success, O> {
					let accepted = matches!(o.caller().try_into(), Ok(Origin::$name));
					if accepted { Ok(()) } else { Err(o) }
				}
				#[cfg(feature = "runtime-benchmarks")]
				fn try_successful_origin() -> Result<O, ()> {
					Ok(O::from(Origin::$name))
				}
			}
		)* };
	}
	ensure_track_origin!(
		MarketParams,
		MinerAdmin,
		ValidatorAdmin,
		WhitelistedCaller,
		ReferendumCanceller,
		ReferendumKiller
	);

	/// Accepts the spender origins, succeeding with the most that origin may spend at once.
	pub struct Spender;
	impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for Spender
	where
		for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
	{
		type Success = Balance;
		fn try_origin(o: O) -> Result<Self::Success, O> {
			let cap = match o.caller().try_into() {
				Ok(Origin::SmallSpender) => Some(SMALL_SPEND),
				Ok(Origin::BigSpender) => Some(BIG_SPEND),
				_ => None,
			};
			cap.ok_or(o)
		}
		#[cfg(feature = "runtime-benchmarks")]
		fn try_successful_origin() -> Result<O, ()> {
			Ok(O::from(Origin::BigSpender))
		}
	}
}

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
		/// May spend up to [`SMALL_SPEND`] from the treasury per spend.
		SmallSpender,
		/// May spend up to [`BIG_SPEND`] from the treasury per spend.
		BigSpender,
		/// May dispatch a call the technical committee whitelisted, as Root.
		WhitelistedCaller,
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

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Switches the governance periods. Referenda under way keep their state and continue
		/// under the new periods.
		///
		/// Origin: Root. Emits [`Event::TimingSet`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::DbWeight::get().writes(1).saturating_add(Weight::from_parts(10_000_000, 0)))]
		pub fn set_timing(origin: OriginFor<T>, timing: Timing) -> DispatchResult {
			ensure_root(origin)?;
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
	ensure_track_origin!(MarketParams, MinerAdmin, WhitelistedCaller);

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

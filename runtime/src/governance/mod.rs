//! What governance adds to the runtime beyond the SDK's pallets: the origins pallet (one origin
//! per referendum track, and the governed timing) and the tracks themselves. The pallets are
//! configured in `configs/governance.rs`.

pub mod origins;
pub mod tracks;

//! Configuration of each pallet in the runtime, one file per area.

mod consensus;
mod governance;
mod marketplace;
mod monetary;
mod system;

pub use consensus::*;
pub use governance::*;
pub use marketplace::*;
pub use monetary::*;
pub use system::*;

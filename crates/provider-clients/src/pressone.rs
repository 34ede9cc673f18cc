//! PressOne, with the same catalogue, order lookup and bulk calls as Airalo (its API and types
//! are Airalo's).

pub use pressone_client::*;

pub use crate::airalo_shaped::flat_packages;

crate::airalo_shaped::airalo_shaped!(iccid);
